#include "commands/crontab_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "jobs/crontab.h"

namespace cwp::commands {
namespace {

bool executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

core::error unreadable(const std::string& path, const std::string& why) {
  return core::error{core::errc::invalid_argument,
                     "CWP_CRONTAB (--crontab): cannot read the crontab '" + path + "': " + why};
}

}  // namespace

core::result<jobs::crontab> load_crontab(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return tl::unexpected(unreadable(path, "it is a directory; give the path of the file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(unreadable(path, std::system_category().message(errno)));
  std::string text(jobs::max_crontab_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return tl::unexpected(unreadable(path, std::system_category().message(errno)));
  text.resize(static_cast<std::size_t>(in.gcount()));
  jobs::parse_options options;
  options.shell_exists = executable_file;
  return jobs::parse_crontab(text, path, options);
}

}  // namespace cwp::commands
