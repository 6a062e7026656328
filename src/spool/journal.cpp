#include "spool/journal.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace cwp::spool {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view segment_suffix = ".seg";
constexpr std::string_view temp_suffix = ".tmp";

// "00000000000000a1.seg" -> 0xa1; anything else -> 0.
std::uint64_t segment_number(std::string_view name) {
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

// What replaying the segments oldest first finds. The same id can appear in two segments when a
// crash interrupted a compaction after its rename: the first copy wins, the others are copies.
struct replay {
  std::map<std::uint64_t, std::pair<std::uint64_t, stored_event>> events;  // id -> segment, event
  std::multimap<std::uint64_t, std::uint64_t> copies;                      // id -> segment
  std::set<std::uint64_t> removed;
  std::uint64_t max_id{0};

  // Adds the records of segment `number`. Returns the other segments holding events that its
  // removal records remove (those come before it: a compaction copies only live events).
  std::set<std::uint64_t> add(std::uint64_t number, const std::vector<record>& records) {
    std::set<std::uint64_t> removes_from;
    for (const auto& r : records) {
      if (const auto* e = std::get_if<event_record>(&r)) {
        max_id = std::max(max_id, e->id);
        const stored_event stored{e->id, e->stream, e->timestamp_ms, e->message};
        if (!events.try_emplace(e->id, number, stored).second) copies.emplace(e->id, number);
        continue;
      }
      for (const auto id : std::get<removal_record>(r).ids) {
        max_id = std::max(max_id, id);
        removed.insert(id);
        if (const auto e = events.find(id); e != events.end()) {
          removes_from.insert(e->second.first);
        }
        for (auto [c, end] = copies.equal_range(id); c != end; ++c) removes_from.insert(c->second);
      }
    }
    removes_from.erase(number);
    return removes_from;
  }
};

}  // namespace

journal::journal(fs::path dir, std::unique_ptr<file_lock> lock, options opts,
                 std::unique_ptr<file_system> own_files)
    : dir_(std::move(dir)),
      own_files_(std::move(own_files)),
      files_(opts.files),
      lock_(std::move(lock)),
      opts_(opts) {}

journal::~journal() = default;

fs::path journal::segment_path(std::uint64_t number) const {
  std::ostringstream name;  // 16 lower-case hex digits: names sort in segment order
  name << std::hex << std::setw(16) << std::setfill('0') << number << ".seg";
  return dir_ / name.str();
}

core::result<std::unique_ptr<journal>> journal::open(const fs::path& dir, options opts) {
  std::unique_ptr<file_system> own_files;
  if (opts.files == nullptr) {
    own_files = std::make_unique<posix_file_system>();
    opts.files = own_files.get();
  }
  // The spool is private to us: it holds our log lines.
  if (auto made = opts.files->create_private_directory(dir); !made) {
    return tl::unexpected(made.error());
  }
  auto lock = opts.files->try_lock(dir / "lock");
  if (!lock) return tl::unexpected(lock.error());
  if (!*lock) {
    return core::fail(core::errc::io, "the spool directory " + dir.string() +
                                          " is in use by another cloudwatch-publisher process");
  }
  std::unique_ptr<journal> j(new journal(dir, std::move(*lock), opts, std::move(own_files)));
  if (auto loaded = j->load(); !loaded) return tl::unexpected(loaded.error());
  return j;
}

core::result<void> journal::load() {
  auto names = files_->list(dir_);
  if (!names) return tl::unexpected(names.error());
  std::vector<std::uint64_t> numbers;
  for (const auto& name : *names) {
    if (name.ends_with(temp_suffix)) {
      // A compaction that did not finish; its source segments are intact.
      (void)files_->remove(dir_ / name);
      continue;
    }
    if (const auto n = segment_number(name); n != 0) numbers.push_back(n);
  }
  std::sort(numbers.begin(), numbers.end());

  // Replay: events minus removals.
  replay found;
  for (const auto number : numbers) {
    auto bytes = files_->read(segment_path(number));
    if (!bytes) return tl::unexpected(bytes.error());
    const auto decoded = decode_segment(*bytes);
    ++report_.segments;
    if (decoded.torn) {
      ++report_.torn_segments;
      report_.ignored_bytes += bytes->size() - decoded.valid_bytes;
    }
    for (const auto& d : decoded.damaged) {
      ++report_.damaged_records;
      report_.damaged_bytes += d.bytes;
    }
    auto& seg = segments_[number];
    seg.removes_from = found.add(number, decoded.records);
    seg.bytes = bytes->size();
    next_segment_ = std::max(next_segment_, number + 1);
    file_bytes_ += bytes->size();
  }
  next_id_ = found.max_id + 1;
  std::string live_records;  // what the compaction below writes: no second read of the files
  for (auto& [id, entry] : found.events) {
    auto& [number, e] = entry;
    if (found.removed.contains(id)) continue;
    live_[id] = live_event{number, encoded_size(e.stream, e.message)};
    live_bytes_ += live_[id].bytes;
    ++segments_[number].live;
    for (auto [c, end] = found.copies.equal_range(id); c != end; ++c) {
      copies_.emplace(id, c->second);
      ++segments_[c->second].live;
    }
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
    auto bytes = files_->read(segment_path(number));
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
    auto file = files_->create(temp_path);
    if (!file) return tl::unexpected(file.error());
    auto written = (*file)->append(out);
    if (written) written = (*file)->sync();
    file->reset();
    if (written) written = files_->rename(temp_path, final_path);
    if (!written) {
      (void)files_->remove(temp_path);
      return written;
    }
    if (auto synced = files_->sync_directory(dir_); !synced) return synced;
  }
  // The new segment holds every live event: the old ones can go, and with them whatever a
  // pending removal referred to.
  for (auto& [old, seg] : segments_) {
    seg.file.reset();
    (void)files_->remove(segment_path(old));
  }
  segments_.clear();
  copies_.clear();
  pending_removals_.clear();
  file_bytes_ = 0;
  current_ = 0;
  if (!live_.empty()) {
    auto& seg = segments_[number];
    seg.bytes = out.size();
    seg.live = live_.size();
    file_bytes_ = out.size();
    for (auto& [id, e] : live_) e.segment = number;
    current_ = number;  // reopened for appending on the next write
  }
  return files_->sync_directory(dir_);
}

std::vector<stored_event> journal::take_loaded() {
  const std::lock_guard lock(mutex_);
  return std::move(loaded_);
}

core::result<void> journal::write_record(const std::string& bytes) {
  if (current_ != 0 && segments_[current_].bytes >= opts_.segment_bytes) {
    segments_[current_].file.reset();
    current_ = 0;
  }
  const bool created = current_ == 0;
  if (created) current_ = next_segment_++;
  auto& seg = segments_[current_];
  const fs::path path = segment_path(current_);
  if (!seg.file) {
    auto opened = files_->open_append(path);
    if (opened && created) {
      if (auto synced = files_->sync_directory(dir_); !synced)
        opened = tl::unexpected(synced.error());
    }
    if (!opened) {
      if (created) {
        (void)files_->remove(path);
        segments_.erase(current_);
        current_ = 0;
      }
      return tl::unexpected(opened.error());
    }
    seg.file = std::move(*opened);
  }
  auto written = seg.file->append(bytes);
  if (written) written = seg.file->sync();
  if (!written) {
    // Cut the partial record off so the next record does not follow garbage. When even that
    // fails, leave the segment (its torn tail is skipped on load) and start a new one.
    if (!seg.file->truncate(seg.bytes)) {
      seg.file.reset();
      current_ = 0;
    }
    return written;
  }
  seg.bytes += bytes.size();
  file_bytes_ += bytes.size();
  return {};
}

core::result<void> journal::flush_pending_removals() {
  // A removal of an event whose segment is deleted needs no record any more.
  std::erase_if(pending_removals_,
                [&](const pending_removal& p) { return !segments_.contains(p.segment); });
  // In records of bounded size: each is below the decoder's cap, and each written one is kept
  // when a later one does not fit.
  while (!pending_removals_.empty()) {
    const auto chunk =
        pending_removals_.end() -
        static_cast<std::ptrdiff_t>(std::min(pending_removals_.size(), max_removal_ids_per_record));
    removal_record r;
    for (auto it = chunk; it != pending_removals_.end(); ++it) r.ids.push_back(it->id);
    std::string bytes;
    encode(r, bytes);
    if (auto written = write_record(bytes); !written) return written;
    auto& written_in = segments_[current_];
    for (auto it = chunk; it != pending_removals_.end(); ++it) {
      if (it->segment != current_) written_in.removes_from.insert(it->segment);
    }
    pending_removals_.erase(chunk, pending_removals_.end());
  }
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
  const auto forget = [&](std::uint64_t id, std::uint64_t number) {
    const auto seg = segments_.find(number);
    if (seg == segments_.end()) return;
    --seg->second.live;
    pending_removals_.push_back({id, number});
  };
  for (const auto id : ids) {
    const auto it = live_.find(id);
    if (it == live_.end()) continue;
    forget(id, it->second.segment);
    const auto [first_copy, end] = copies_.equal_range(id);
    for (auto c = first_copy; c != end; ++c) forget(id, c->second);
    copies_.erase(first_copy, end);
    live_bytes_ -= it->second.bytes;
    live_.erase(it);
  }
  auto flushed = flush_pending_removals();
  // Also when the record could not be written: deleting a segment needs no space, and the
  // events of a deleted segment are not sent again.
  collect_garbage();
  return flushed;
}

bool journal::deletable(const segment& seg) const {
  return seg.live == 0 && std::none_of(seg.removes_from.begin(), seg.removes_from.end(),
                                       [&](std::uint64_t n) { return segments_.contains(n); });
}

void journal::collect_garbage() {
  // Deleting a segment can make another deletable (one whose removals referred to it): repeat.
  for (bool deleted = true; deleted;) {
    deleted = false;
    for (auto it = segments_.begin(); it != segments_.end();) {
      if (!deletable(it->second)) {
        ++it;
        continue;
      }
      it->second.file.reset();  // the current segment too: the next write starts a new one
      if (!files_->remove(segment_path(it->first))) {
        ++it;  // still on disk, still accounted for; tried again with the next removal
        continue;
      }
      if (it->first == current_) current_ = 0;
      file_bytes_ -= it->second.bytes;
      it = segments_.erase(it);
      deleted = true;
    }
  }
  std::erase_if(pending_removals_,
                [&](const pending_removal& p) { return !segments_.contains(p.segment); });
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
