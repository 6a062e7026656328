#include "spool/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <set>
#include <system_error>

namespace cwp::spool {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view segment_suffix = ".seg";
constexpr std::string_view temp_suffix = ".tmp";

core::error io_error(const std::string& what, const fs::path& path, int err) {
  return core::error(core::errc::io,
                     what + " " + path.string() + ": " + std::generic_category().message(err));
}

core::result<void> write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return tl::unexpected(io_error("cannot write", path, errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

core::result<void> sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(io_error("cannot open", dir, errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return tl::unexpected(io_error("cannot sync", dir, err));
  return {};
}

core::result<std::string> read_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(io_error("cannot open", path, errno));
  std::string out;
  char buf[65536];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return tl::unexpected(io_error("cannot read", path, err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

// "00000000000000a1.seg" -> 0xa1; anything else -> 0.
std::uint64_t segment_number(const fs::path& p) {
  const std::string name = p.filename().string();
  if (name.size() != 16 + segment_suffix.size() || !name.ends_with(segment_suffix)) return 0;
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    const char c = name[i];
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return 0;
    n = n * 16 + static_cast<std::uint64_t>(digit);
  }
  return n;
}

std::uint64_t encoded_size(std::string_view stream, std::string_view message) {
  return record_header_bytes + 1 + 8 + 8 + 4 + stream.size() + 4 + message.size();
}

}  // namespace

journal::journal(fs::path dir, int lock_fd, options opts)
    : dir_(std::move(dir)), lock_fd_(lock_fd), opts_(opts) {}

journal::~journal() {
  for (auto& [number, seg] : segments_) {
    if (seg.fd >= 0) ::close(seg.fd);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

fs::path journal::segment_path(std::uint64_t number) const {
  char name[32];
  std::snprintf(name, sizeof name, "%016" PRIx64 ".seg", number);
  return dir_ / name;
}

core::result<std::unique_ptr<journal>> journal::open(const fs::path& dir, options opts) {
  // Parents as the umask says; the spool itself private to us (it holds our log lines).
  std::error_code ec;
  if (dir.has_parent_path()) fs::create_directories(dir.parent_path(), ec);
  if (!ec && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    ec = std::error_code(errno, std::generic_category());
  }
  if (!ec && !fs::is_directory(dir, ec) && !ec) {
    ec = std::make_error_code(std::errc::not_a_directory);
  }
  if (ec) {
    return core::fail(core::errc::io,
                      "cannot create the spool directory " + dir.string() + ": " + ec.message());
  }
  const fs::path lock_path = dir / "lock";
  const int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0) return tl::unexpected(io_error("cannot create", lock_path, errno));
  if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd);
    if (err == EWOULDBLOCK) {
      return core::fail(core::errc::io, "the spool directory " + dir.string() +
                                            " is in use by another cloudwatch-publisher process");
    }
    return tl::unexpected(io_error("cannot lock", lock_path, err));
  }
  std::unique_ptr<journal> j(new journal(dir, lock_fd, opts));
  if (auto loaded = j->load(); !loaded) return tl::unexpected(loaded.error());
  return j;
}

core::result<void> journal::load() {
  std::vector<std::pair<std::uint64_t, fs::path>> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const auto& p = entry.path();
    if (p.extension() == temp_suffix) {
      fs::remove(p, ec);  // a compaction that did not finish; its source segments are intact
      continue;
    }
    if (const auto n = segment_number(p); n != 0) files.emplace_back(n, p);
  }
  if (ec) {
    return core::fail(core::errc::io,
                      "cannot list the spool directory " + dir_.string() + ": " + ec.message());
  }
  std::sort(files.begin(), files.end());

  // Replay: events minus removals. The same id can appear twice when a crash interrupted a
  // compaction after its rename: the first copy wins.
  std::map<std::uint64_t, std::pair<std::uint64_t, stored_event>> events;  // id -> segment, event
  std::set<std::uint64_t> removed;
  std::uint64_t max_id = 0;
  for (const auto& [number, path] : files) {
    auto bytes = read_file(path);
    if (!bytes) return tl::unexpected(bytes.error());
    const auto decoded = decode_segment(*bytes);
    ++report_.segments;
    if (decoded.torn) {
      ++report_.torn_segments;
      report_.ignored_bytes += bytes->size() - decoded.valid_bytes;
    }
    for (const auto& r : decoded.records) {
      if (const auto* e = std::get_if<event_record>(&r)) {
        max_id = std::max(max_id, e->id);
        events.try_emplace(e->id, number,
                           stored_event{e->id, e->stream, e->timestamp_ms, e->message});
      } else {
        for (const auto id : std::get<removal_record>(r).ids) {
          max_id = std::max(max_id, id);
          removed.insert(id);
        }
      }
    }
    next_segment_ = std::max(next_segment_, number + 1);
    segments_[number] = segment{-1, bytes->size(), 0};
    file_bytes_ += bytes->size();
  }
  next_id_ = max_id + 1;
  std::string live_records;  // what the compaction below writes: no second read of the files
  for (auto& [id, entry] : events) {
    auto& [number, e] = entry;
    if (removed.contains(id)) continue;
    live_[id] = live_event{number, encoded_size(e.stream, e.message)};
    live_bytes_ += live_[id].bytes;
    ++segments_[number].live;
    encode(event_record{e.id, e.timestamp_ms, e.stream, e.message}, live_records);
    loaded_.push_back(std::move(e));
  }
  report_.events = loaded_.size();
  // Rewriting the live events into one segment keeps the directory from growing across
  // restarts. When it fails (disk full), the segments stay as they are and are still valid;
  // new records go to a new segment.
  if (!segments_.empty()) (void)compact(std::move(live_records));
  return {};
}

core::result<std::string> journal::read_live_records() const {
  // The journal keeps no messages in memory: read the live events back from the segments.
  std::string out;
  std::set<std::uint64_t> written;
  for (const auto& [number, seg] : segments_) {
    auto bytes = read_file(segment_path(number));
    if (!bytes) return tl::unexpected(bytes.error());
    for (const auto& r : decode_segment(*bytes).records) {
      const auto* e = std::get_if<event_record>(&r);
      if (e != nullptr && live_.contains(e->id) && written.insert(e->id).second) encode(*e, out);
    }
  }
  return out;
}

core::result<void> journal::compact(std::string live_records) {
  if (live_records.empty() && !live_.empty()) {
    auto read = read_live_records();
    if (!read) return tl::unexpected(read.error());
    live_records = std::move(*read);
  }
  const std::string& out = live_records;
  const std::uint64_t number = next_segment_++;
  const fs::path final_path = segment_path(number);
  fs::path temp_path = final_path;
  temp_path.replace_extension(temp_suffix);
  if (!live_.empty()) {
    const int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return tl::unexpected(io_error("cannot create", temp_path, errno));
    auto written_ok = write_all(fd, out, temp_path);
    if (written_ok && ::fdatasync(fd) != 0) {
      written_ok = tl::unexpected(io_error("cannot sync", temp_path, errno));
    }
    ::close(fd);
    if (!written_ok) {
      ::unlink(temp_path.c_str());
      return written_ok;
    }
    if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
      const int err = errno;
      ::unlink(temp_path.c_str());
      return tl::unexpected(io_error("cannot rename", temp_path, err));
    }
    if (auto synced = sync_directory(dir_); !synced) return synced;
  }
  // The new segment holds every live event: the old ones can go.
  for (auto& [old, seg] : segments_) {
    if (seg.fd >= 0) ::close(seg.fd);
    ::unlink(segment_path(old).c_str());
  }
  segments_.clear();
  file_bytes_ = 0;
  current_ = 0;
  if (!live_.empty()) {
    segments_[number] = segment{-1, out.size(), live_.size()};
    file_bytes_ = out.size();
    for (auto& [id, e] : live_) e.segment = number;
    current_ = number;  // reopened for appending on the next write
  }
  return sync_directory(dir_);
}

std::vector<stored_event> journal::take_loaded() {
  const std::lock_guard lock(mutex_);
  return std::move(loaded_);
}

core::result<void> journal::write_record(const std::string& bytes) {
  if (current_ != 0 && segments_[current_].bytes >= opts_.segment_bytes) {
    auto& seg = segments_[current_];
    if (seg.fd >= 0) ::close(seg.fd);
    seg.fd = -1;
    current_ = 0;
  }
  bool created = false;
  if (current_ == 0) {
    current_ = next_segment_++;
    segments_[current_] = segment{};
    created = true;
  }
  auto& seg = segments_[current_];
  const fs::path path = segment_path(current_);
  if (seg.fd < 0) {
    seg.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (seg.fd < 0) {
      const int err = errno;
      if (created) {
        segments_.erase(current_);
        current_ = 0;
      }
      return tl::unexpected(io_error("cannot open", path, err));
    }
    if (created) {
      if (auto synced = sync_directory(dir_); !synced) {
        ::close(seg.fd);
        ::unlink(path.c_str());
        segments_.erase(current_);
        current_ = 0;
        return synced;
      }
    }
  }
  auto written = write_all(seg.fd, bytes, path);
  if (written && ::fdatasync(seg.fd) != 0) {
    written = tl::unexpected(io_error("cannot sync", path, errno));
  }
  if (!written) {
    // Cut the partial record off so the next record does not follow garbage. When even that
    // fails, leave the segment (its torn tail is skipped on load) and start a new one.
    if (::ftruncate(seg.fd, static_cast<off_t>(seg.bytes)) != 0 || ::fdatasync(seg.fd) != 0) {
      ::close(seg.fd);
      seg.fd = -1;
      current_ = 0;
    }
    return written;
  }
  seg.bytes += bytes.size();
  file_bytes_ += bytes.size();
  return {};
}

core::result<void> journal::flush_pending_removals() {
  if (pending_removals_.empty()) return {};
  std::string bytes;
  encode(removal_record{pending_removals_}, bytes);
  if (auto written = write_record(bytes); !written) return written;
  pending_removals_.clear();
  return {};
}

core::result<std::uint64_t> journal::append(std::string_view stream, std::int64_t timestamp_ms,
                                            std::string_view message) {
  const std::lock_guard lock(mutex_);
  (void)flush_pending_removals();  // best effort: a failure here is reported by remove()
  const event_record r{next_id_, timestamp_ms, std::string(stream), std::string(message)};
  std::string bytes;
  encode(r, bytes);
  if (auto written = write_record(bytes); !written) return tl::unexpected(written.error());
  const std::uint64_t id = next_id_++;
  live_[id] = live_event{current_, bytes.size()};
  live_bytes_ += bytes.size();
  ++segments_[current_].live;
  return id;
}

core::result<void> journal::remove(std::span<const std::uint64_t> ids) {
  const std::lock_guard lock(mutex_);
  for (const auto id : ids) {
    const auto it = live_.find(id);
    if (it == live_.end()) continue;
    if (auto seg = segments_.find(it->second.segment); seg != segments_.end()) --seg->second.live;
    live_bytes_ -= it->second.bytes;
    live_.erase(it);
    pending_removals_.push_back(id);
  }
  auto flushed = flush_pending_removals();
  if (flushed) collect_garbage();
  return flushed;
}

void journal::collect_garbage() {
  // Oldest first only: a removal record in a later segment may refer to events in an earlier
  // one, so a segment goes only when every segment before it is gone too.
  while (!segments_.empty()) {
    auto it = segments_.begin();
    if (it->first == current_ || it->second.live > 0) break;
    if (it->second.fd >= 0) ::close(it->second.fd);
    ::unlink(segment_path(it->first).c_str());
    file_bytes_ -= it->second.bytes;
    segments_.erase(it);
  }
  if (file_bytes_ > 2 * opts_.segment_bytes && file_bytes_ > 4 * live_bytes_) (void)compact();
}

std::size_t journal::live_events() const {
  const std::lock_guard lock(mutex_);
  return live_.size();
}

std::uint64_t journal::live_bytes() const {
  const std::lock_guard lock(mutex_);
  return live_bytes_;
}

std::uint64_t journal::file_bytes() const {
  const std::lock_guard lock(mutex_);
  return file_bytes_;
}

}  // namespace cwp::spool
