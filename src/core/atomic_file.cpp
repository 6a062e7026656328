#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>

#include "core/unique_fd.h"

namespace cwp::core {
namespace {

// "<what><subject>: <errno text>". errno is read first, before building any string (an
// allocation may change it).
tl::unexpected<error> io_failure(const char* what, const std::string& subject) {
  const int err = errno;
  return fail(errc::io, what + subject + ": " + describe_errno(err));
}

struct split_path {
  std::string directory;
  std::string name;
};

split_path split(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// 16 random hex digits: a temporary name no one can predict (and so plant a link at).
std::string random_suffix() {
  std::array<std::uint8_t, 8> bytes{};
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    // Without randomness the name is guessable, which still cannot redirect the write (O_EXCL):
    // at worst a planted name makes this attempt fail.
    if (n < 0 && errno != EINTR) break;
    if (n > 0) filled += static_cast<std::size_t>(n);
  }
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  for (const auto b : bytes) {
    out.push_back(hex[b >> 4U]);
    out.push_back(hex[b & 0x0FU]);
  }
  return out;
}

result<int> open_directory(const std::string& directory, bool create) {
  constexpr int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
  int fd = ::open(directory.c_str(), flags);
  if (fd < 0 && errno == ENOENT && create) {
    if (::mkdir(directory.c_str(), 0700) != 0 && errno != EEXIST) {
      return io_failure("cannot create the directory ", directory);
    }
    fd = ::open(directory.c_str(), flags);
  }
  if (fd < 0) return io_failure("cannot open the directory ", directory);
  return fd;
}

result<void> write_all(int fd, std::string_view content, const std::string& what, bool durable) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_failure("cannot write ", what);
    content.remove_prefix(static_cast<std::size_t>(n));
  }
  if (durable && ::fsync(fd) != 0) return io_failure("cannot write ", what);
  return {};
}

}  // namespace

result<void> write_file_atomically(const std::string& path, std::string_view content,
                                   const atomic_write_options& options) {
  const split_path parts = split(path);
  if (parts.name.empty() || parts.name == "." || parts.name == "..") {
    return fail(errc::io, "cannot write " + path + ": not a file name");
  }
  auto dir_fd = open_directory(parts.directory, options.create_directory);
  if (!dir_fd) return tl::unexpected(dir_fd.error());
  const unique_fd dir(*dir_fd);

  // A name already taken (by a planted file or link, or by chance) is never opened: try another.
  constexpr int max_names = 16;
  std::string temp;
  int temp_fd = -1;
  for (int i = 0; i < max_names && temp_fd < 0; ++i) {
    temp = "." + parts.name + ".tmp-" + random_suffix();
    temp_fd =
        ::openat(dir.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 static_cast<mode_t>(options.file_mode));
    if (temp_fd < 0 && errno != EEXIST) {
      return io_failure("cannot create a temporary file in ", parts.directory);
    }
  }
  // Every name was taken: errno is still the last openat's EEXIST.
  if (temp_fd < 0) return io_failure("cannot create a temporary file in ", parts.directory);

  auto written = [&] {
    const unique_fd file(temp_fd);
    return write_all(file.get(), content, parts.directory + "/" + temp, options.durable);
  }();
  if (written && ::renameat(dir.get(), temp.c_str(), dir.get(), parts.name.c_str()) != 0) {
    written = io_failure("cannot rename the temporary file to ", path);
  }
  if (!written) {
    ::unlinkat(dir.get(), temp.c_str(), 0);
    return written;
  }
  // Makes the rename itself durable; a failure here leaves the new content in place.
  if (options.durable) ::fsync(dir.get());
  return {};
}

}  // namespace cwp::core
