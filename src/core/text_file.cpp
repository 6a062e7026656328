#include "core/text_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "core/unique_fd.h"

namespace cwp::core {

result<std::optional<std::string>> read_text_file(const std::string& path, std::size_t max_bytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR) return std::optional<std::string>{};
    return fail(errc::io, "cannot read " + path + ": " + describe_errno(err));
  }
  const unique_fd file(fd);
  struct stat info {};
  if (::fstat(file.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return fail(errc::io, "cannot read " + path + ": not a regular file");
  }
  std::string text;
  std::array<char, 4096> chunk{};
  for (;;) {
    const ssize_t n = ::read(file.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errc::io, "cannot read " + path + ": " + describe_errno(errno));
    if (n == 0) break;
    text.append(chunk.data(), static_cast<std::size_t>(n));
    if (text.size() > max_bytes) {
      return fail(errc::io, path + " is larger than " + std::to_string(max_bytes) +
                                " bytes; is it the right file?");
    }
  }
  return std::optional<std::string>{std::move(text)};
}

std::optional<std::string> expand_home(const std::string& path, const environment& env) {
  if (path != "~" && !path.starts_with("~/")) return path;
  auto home = env.non_empty("HOME");
  if (!home) return std::nullopt;
  return *home + path.substr(1);
}

}  // namespace cwp::core
