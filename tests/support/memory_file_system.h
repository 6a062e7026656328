#pragma once
// A spool::file_system held in memory, for tests of what the journal does when the disk is full:
// a volume of limited capacity that a test fills (fill()) and frees (unlimited()); an append that
// does not fit writes what fits and fails with ENOSPC's message, as a real disk does; deleting a
// file gives its space back. Syncs are free, so tests with many records stay fast. It also
// records the largest single append. Not thread-safe (the journal calls it under its lock).

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "spool/file_system.h"

namespace cwp::testing {

class memory_file_system final : public spool::file_system {
 public:
  // From now on the volume holds what it holds now and nothing more.
  void fill() { capacity_ = used_bytes(); }
  void unlimited() { capacity_.reset(); }

  std::uint64_t used_bytes() const {
    std::uint64_t n = 0;
    for (const auto& [path, content] : files_) n += content.size();
    return n;
  }
  std::size_t largest_append_bytes() const { return largest_append_; }
  bool exists(const std::filesystem::path& path) const { return files_.contains(path.string()); }
  // Names of the files in `dir` that end with `suffix`, sorted.
  std::vector<std::string> names(const std::filesystem::path& dir, std::string_view suffix) const {
    std::vector<std::string> out;
    for (const auto& [path, content] : files_) {
      const std::filesystem::path p(path);
      if (p.parent_path() == dir && path.ends_with(suffix)) out.push_back(p.filename().string());
    }
    return out;
  }
  void write(const std::filesystem::path& path, std::string content) {
    files_[path.string()] = std::move(content);
  }
  std::string content(const std::filesystem::path& path) const {
    const auto it = files_.find(path.string());
    return it == files_.end() ? std::string() : it->second;
  }

  core::result<void> create_private_directory(const std::filesystem::path& dir) override {
    if (files_.contains(dir.string())) return fail("cannot create", dir, "Not a directory");
    directories_.insert(dir.string());
    return {};
  }

  core::result<std::unique_ptr<spool::file_lock>> try_lock(
      const std::filesystem::path& path) override {
    if (!locked_.insert(path.string()).second) return nullptr;
    if (!files_.contains(path.string())) files_[path.string()];
    return std::make_unique<lock>(*this, path.string());
  }

  core::result<std::vector<std::string>> list(const std::filesystem::path& dir) override {
    if (!directories_.contains(dir.string())) return fail("cannot list", dir, "No such directory");
    return names(dir, "");
  }

  core::result<std::string> read(const std::filesystem::path& path) override {
    const auto it = files_.find(path.string());
    if (it == files_.end()) return fail("cannot open", path, "No such file or directory");
    return it->second;
  }

  core::result<std::unique_ptr<spool::append_file>> open_append(
      const std::filesystem::path& path) override {
    files_[path.string()];
    return std::make_unique<file>(*this, path.string());
  }

  core::result<std::unique_ptr<spool::append_file>> create(
      const std::filesystem::path& path) override {
    files_[path.string()].clear();
    return std::make_unique<file>(*this, path.string());
  }

  core::result<void> rename(const std::filesystem::path& from,
                            const std::filesystem::path& to) override {
    const auto it = files_.find(from.string());
    if (it == files_.end()) return fail("cannot rename", from, "No such file or directory");
    std::string moved = std::move(it->second);
    files_.erase(it);
    files_[to.string()] = std::move(moved);
    return {};
  }

  core::result<void> remove(const std::filesystem::path& path) override {
    files_.erase(path.string());
    return {};
  }

  core::result<void> sync_directory(const std::filesystem::path&) override { return {}; }

 private:
  class file final : public spool::append_file {
   public:
    file(memory_file_system& fs, std::string path) : fs_(&fs), path_(std::move(path)) {}
    core::result<void> append(std::string_view bytes) override {
      const auto it = fs_->files_.find(path_);
      if (it == fs_->files_.end()) return fail("cannot write", path_, "deleted while open");
      fs_->largest_append_ = std::max(fs_->largest_append_, bytes.size());
      std::size_t room = bytes.size();
      if (fs_->capacity_) {
        const auto used = fs_->used_bytes();
        room = used >= *fs_->capacity_ ? 0 : std::min<std::uint64_t>(room, *fs_->capacity_ - used);
      }
      it->second.append(bytes.substr(0, room));
      if (room < bytes.size()) return fail("cannot write", path_, "No space left on device");
      return {};
    }
    core::result<void> sync() override { return {}; }
    core::result<void> truncate(std::uint64_t size_bytes) override {
      auto& content = fs_->files_[path_];
      content.resize(std::min<std::uint64_t>(size_bytes, content.size()));
      return {};
    }

   private:
    memory_file_system* fs_;
    std::string path_;
  };

  class lock final : public spool::file_lock {
   public:
    lock(memory_file_system& fs, std::string path) : fs_(&fs), path_(std::move(path)) {}
    ~lock() override { fs_->locked_.erase(path_); }
    lock(const lock&) = delete;
    lock& operator=(const lock&) = delete;

   private:
    memory_file_system* fs_;
    std::string path_;
  };

  static tl::unexpected<core::error> fail(const std::string& what,
                                          const std::filesystem::path& path,
                                          const std::string& why) {
    return core::fail(core::errc::io, what + " " + path.string() + ": " + why);
  }

  std::map<std::string, std::string> files_;  // path -> content
  std::set<std::string> directories_;
  std::set<std::string> locked_;
  std::optional<std::uint64_t> capacity_;
  std::size_t largest_append_{0};
};

}  // namespace cwp::testing
