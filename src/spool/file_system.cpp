#include "spool/file_system.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace cwp::spool {
namespace {

namespace fs = std::filesystem;

tl::unexpected<core::error> io_error(const std::string& what, const fs::path& path, int err) {
  return core::fail(core::errc::io,
                    what + " " + path.string() + ": " + std::generic_category().message(err));
}

// Closes the descriptor on destruction.
class posix_append_file final : public append_file {
 public:
  posix_append_file(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  ~posix_append_file() override { ::close(fd_); }
  posix_append_file(const posix_append_file&) = delete;
  posix_append_file& operator=(const posix_append_file&) = delete;
  posix_append_file(posix_append_file&&) = delete;
  posix_append_file& operator=(posix_append_file&&) = delete;

  core::result<void> append(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("cannot write", path_, errno);
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
  }

  core::result<void> sync() override {
    if (::fdatasync(fd_) != 0) return io_error("cannot sync", path_, errno);
    return {};
  }

  core::result<void> truncate(std::uint64_t size_bytes) override {
    if (::ftruncate(fd_, static_cast<off_t>(size_bytes)) != 0) {
      return io_error("cannot truncate", path_, errno);
    }
    return sync();
  }

 private:
  int fd_;
  fs::path path_;
};

class posix_file_lock final : public file_lock {
 public:
  explicit posix_file_lock(int fd) : fd_(fd) {}
  ~posix_file_lock() override { ::close(fd_); }  // releases the flock
  posix_file_lock(const posix_file_lock&) = delete;
  posix_file_lock& operator=(const posix_file_lock&) = delete;
  posix_file_lock(posix_file_lock&&) = delete;
  posix_file_lock& operator=(posix_file_lock&&) = delete;

 private:
  int fd_;
};

core::result<std::unique_ptr<append_file>> open_for_append(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | flags, 0600);
  if (fd < 0) return io_error("cannot open", path, errno);
  return std::make_unique<posix_append_file>(fd, path);
}

}  // namespace

core::result<void> posix_file_system::create_private_directory(const fs::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (!ec && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    ec = std::error_code(errno, std::generic_category());
  }
  if (!ec && !fs::is_directory(dir, ec) && !ec) {
    ec = std::make_error_code(std::errc::not_a_directory);
  }
  if (ec) return core::fail(core::errc::io, "cannot create " + dir.string() + ": " + ec.message());
  return {};
}

core::result<std::unique_ptr<file_lock>> posix_file_system::try_lock(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create", path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return nullptr;
    return io_error("cannot lock", path, err);
  }
  return std::make_unique<posix_file_lock>(fd);
}

core::result<std::vector<std::string>> posix_file_system::list(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    names.push_back(entry.path().filename().string());
  }
  if (ec) return core::fail(core::errc::io, "cannot list " + dir.string() + ": " + ec.message());
  return names;
}

core::result<std::string> posix_file_system::read(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path, errno);
  std::string out;
  std::array<char, 65536> buf{};
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return io_error("cannot read", path, err);
    }
    if (n == 0) break;
    out.append(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

core::result<std::unique_ptr<append_file>> posix_file_system::open_append(const fs::path& path) {
  return open_for_append(path, 0);
}

core::result<std::unique_ptr<append_file>> posix_file_system::create(const fs::path& path) {
  return open_for_append(path, O_TRUNC);
}

core::result<void> posix_file_system::rename(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return io_error("cannot rename", from, errno);
  return {};
}

core::result<void> posix_file_system::remove(const fs::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("cannot delete", path, errno);
  return {};
}

core::result<void> posix_file_system::sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("cannot sync", dir, err);
  return {};
}

}  // namespace cwp::spool
