#pragma once
// A fresh directory under the system temp dir, removed with everything in it on destruction, for
// tests that need real files (shared config, token files, helper scripts).

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cwp::testing {

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "cwp-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const { return path_; }
  std::string file(std::string_view name) const { return (path_ / name).string(); }

  // Writes `content` to `name` (creating parent folders) with the given permission bits, and
  // returns its full path.
  std::string write(std::string_view name, std::string_view content, unsigned mode = 0600) const {
    const auto target = path_ / name;
    std::filesystem::create_directories(target.parent_path());
    {
      std::ofstream out(target, std::ios::binary | std::ios::trunc);
      out << content;
      if (!out) throw std::runtime_error("cannot write " + target.string());
    }
    ::chmod(target.c_str(), static_cast<mode_t>(mode));
    return target.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace cwp::testing
