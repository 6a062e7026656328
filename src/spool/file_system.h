#pragma once
// The file operations the journal performs, behind an interface in the spirit of leveldb's Env:
// the journal runs on posix_file_system, and tests hand it a file system that runs out of space
// (or fails a write) exactly when they want, so every disk-full path is tested without a
// special volume. Every failure is an errc::io error naming the path and the reason.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace cwp::spool {

// A file written at its end, open until destroyed. Owned by whoever opened it.
class append_file {
 public:
  append_file() = default;
  append_file(const append_file&) = delete;
  append_file& operator=(const append_file&) = delete;
  append_file(append_file&&) = delete;
  append_file& operator=(append_file&&) = delete;
  virtual ~append_file() = default;

  // Writes all of `bytes` at the end. On failure a prefix of them may have been written.
  virtual core::result<void> append(std::string_view bytes) = 0;
  // Makes what was appended durable (fdatasync).
  virtual core::result<void> sync() = 0;
  // Cuts the file back to `size_bytes` and makes that durable.
  virtual core::result<void> truncate(std::uint64_t size_bytes) = 0;
};

// An exclusive lock, held until destroyed (the kernel drops it when the process dies).
class file_lock {
 public:
  file_lock() = default;
  file_lock(const file_lock&) = delete;
  file_lock& operator=(const file_lock&) = delete;
  file_lock(file_lock&&) = delete;
  file_lock& operator=(file_lock&&) = delete;
  virtual ~file_lock() = default;
};

class file_system {
 public:
  file_system() = default;
  file_system(const file_system&) = delete;
  file_system& operator=(const file_system&) = delete;
  file_system(file_system&&) = delete;
  file_system& operator=(file_system&&) = delete;
  virtual ~file_system() = default;

  // Creates `dir` with mode 0700 (its parents as the umask says) unless it exists; fails when
  // it exists and is not a directory.
  virtual core::result<void> create_private_directory(const std::filesystem::path& dir) = 0;
  // Locks `path` (created with mode 0600 when missing). nullptr: another process holds it.
  virtual core::result<std::unique_ptr<file_lock>> try_lock(const std::filesystem::path& path) = 0;
  // The names of the entries of `dir`.
  virtual core::result<std::vector<std::string>> list(const std::filesystem::path& dir) = 0;
  virtual core::result<std::string> read(const std::filesystem::path& path) = 0;
  // Opens `path` for appending, creating it (mode 0600) when missing.
  virtual core::result<std::unique_ptr<append_file>> open_append(
      const std::filesystem::path& path) = 0;
  // Creates `path` (mode 0600), or empties it when it exists, for appending.
  virtual core::result<std::unique_ptr<append_file>> create(const std::filesystem::path& path) = 0;
  // Atomically replaces `to` with `from`.
  virtual core::result<void> rename(const std::filesystem::path& from,
                                    const std::filesystem::path& to) = 0;
  // Deletes a file; one that does not exist counts as deleted.
  virtual core::result<void> remove(const std::filesystem::path& path) = 0;
  // Makes the creations, renames and deletions in `dir` durable.
  virtual core::result<void> sync_directory(const std::filesystem::path& dir) = 0;
};

// The real file system, through POSIX calls (open, write, fdatasync, flock, ...). Stateless.
class posix_file_system final : public file_system {
 public:
  core::result<void> create_private_directory(const std::filesystem::path& dir) override;
  core::result<std::unique_ptr<file_lock>> try_lock(const std::filesystem::path& path) override;
  core::result<std::vector<std::string>> list(const std::filesystem::path& dir) override;
  core::result<std::string> read(const std::filesystem::path& path) override;
  core::result<std::unique_ptr<append_file>> open_append(
      const std::filesystem::path& path) override;
  core::result<std::unique_ptr<append_file>> create(const std::filesystem::path& path) override;
  core::result<void> rename(const std::filesystem::path& from,
                            const std::filesystem::path& to) override;
  core::result<void> remove(const std::filesystem::path& path) override;
  core::result<void> sync_directory(const std::filesystem::path& dir) override;
};

}  // namespace cwp::spool
