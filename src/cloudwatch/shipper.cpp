#include "cloudwatch/shipper.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "cloudwatch/batch.h"
#include "cloudwatch/emf.h"
#include "cloudwatch/names.h"
#include "core/time_format.h"

namespace cwp::cloudwatch {
namespace {

// The journal writes each event as one record: the largest event CloudWatch accepts, with the
// longest stream name (512 characters of up to 4 UTF-8 bytes), fits one.
static_assert(spool::event_record_body_bytes(4 * max_name_length, max_message_bytes) <=
              spool::max_record_body_bytes);

// A batch the service called malformed will never be accepted: resending it forever would
// block every event behind it.
bool is_definitive_rejection(const core::error& e) {
  return e.remote_code == "InvalidParameterException" || e.remote_code == "ValidationException";
}

std::string marker_message(std::size_t dropped) {
  nlohmann::ordered_json j;
  j["event"] = "dropped";
  j["message"] = std::to_string(dropped) + " events dropped";
  j["dropped"] = dropped;
  j["reason"] = "the spool limits were reached while CloudWatch Logs was unreachable";
  j["service"] = "cloudwatch-publisher";
  return j.dump();
}

}  // namespace

shipper::shipper(publisher& pub, const logging::logger& log, const core::clock& clock,
                 spool_limits limits, spool::journal* journal)
    : publisher_(&pub), log_(&log), clock_(&clock), limits_(limits), journal_(journal) {
  if (journal_ == nullptr) return;
  const std::lock_guard lock(mutex_);
  for (auto& stored : journal_->take_loaded()) {
    entry e;
    e.timestamp_ms = stored.timestamp_ms;
    e.message = std::move(stored.message);
    e.journal_id = stored.id;
    e.emf = is_emf_document(e.message);
    insert_locked(stored.stream, std::move(e));
    ++restored_;
  }
  // A smaller bound than the previous process had applies to what it left too.
  if (restored_ > 0) {
    enforce_bounds_locked();
    log_drops_locked(true);
  }
}

std::uint64_t shipper::size_of(const entry& e) { return event_size(e); }

std::size_t shipper::pending() const {
  const std::lock_guard lock(mutex_);
  return total_;
}

bool shipper::half_full() const {
  const std::lock_guard lock(mutex_);
  return total_ >= limits_.max_events / 2 || bytes_ >= limits_.max_bytes / 2;
}

std::uint64_t shipper::pending_bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

std::optional<core::sys_time> shipper::oldest_pending() const {
  const std::lock_guard lock(mutex_);
  std::optional<std::int64_t> oldest;
  for (const auto& [stream, q] : queues_) {
    // Each stream is sorted by timestamp.
    if (!q.empty() && (!oldest || q.front().timestamp_ms < *oldest))
      oldest = q.front().timestamp_ms;
  }
  if (!oldest) return std::nullopt;
  return core::from_epoch_millis(*oldest);
}

void shipper::insert_locked(const std::string& stream, entry e) {
  auto found = queues_.find(stream);
  auto& q = found != queues_.end() ? found->second : queues_[stream];
  ++total_;
  bytes_ += size_of(e);
  // Keep each stream sorted by timestamp (the service rejects unsorted batches); events
  // almost always arrive in order, so this is an append.
  if (q.empty() || q.back().timestamp_ms <= e.timestamp_ms) {
    q.push_back(std::move(e));
    return;
  }
  const auto pos =
      std::upper_bound(q.begin(), q.end(), e.timestamp_ms,
                       [](std::int64_t ts, const entry& x) { return ts < x.timestamp_ms; });
  q.insert(pos, std::move(e));
}

void shipper::persist_locked(const std::string& stream, entry& e) {
  if (journal_ == nullptr || e.journal_id) return;
  auto id = journal_->append(stream, e.timestamp_ms, e.message);
  if (id) {
    e.journal_id = *id;
    return;
  }
  if (memory_only_++ == 0) {
    log_->error(
        "Cannot write to the spool directory; keeping undelivered events in memory "
        "until it accepts writes again: " +
            id.error().message,
        {logging::kv("spool_dir", journal_->directory().string())});
  }
}

void shipper::persist_memory_only_locked() {
  // Entries on their way are persisted when they come back (settle), not from here.
  if (journal_ == nullptr || memory_only_ <= in_flight_memory_only_) return;
  const std::size_t before = memory_only_ - in_flight_memory_only_;
  for (auto& [stream, q] : queues_) {
    for (auto& e : q) {
      if (e.journal_id) continue;
      auto id = journal_->append(stream, e.timestamp_ms, e.message);
      if (!id) return;  // still refused: stay degraded, try again later
      e.journal_id = *id;
      if (memory_only_ > 0) --memory_only_;
    }
  }
  memory_only_ = in_flight_memory_only_;
  log_->info("The spool directory accepts writes again; " + std::to_string(before) +
                 " events kept in memory meanwhile are on disk now",
             {logging::kv("spool_dir", journal_->directory().string())});
}

void shipper::forget_locked(const std::vector<std::uint64_t>& journal_ids) {
  if (journal_ == nullptr || journal_ids.empty()) return;
  // A failed removal is retried by the journal with its next write; until then a crash would
  // deliver these events again (at least once, never lost).
  (void)journal_->remove(journal_ids);
}

void shipper::drop_locked(queue& q, const queue::iterator& it, std::size_t& dropped_total) {
  --total_;
  bytes_ -= size_of(*it);
  if (!it->journal_id && journal_ != nullptr && memory_only_ > 0) --memory_only_;
  if (it->journal_id) forget_locked({*it->journal_id});
  q.erase(it);
  ++dropped_total;
}

void shipper::enforce_bounds_locked() {
  if (total_ - in_flight_events_ <= limits_.max_events &&
      bytes_ - in_flight_bytes_ <= limits_.max_bytes) {
    return;  // the common case, checked for every event
  }
  std::map<std::string, std::pair<std::size_t, std::int64_t>> dropped;  // count, newest ts
  while (total_ - in_flight_events_ > limits_.max_events ||
         bytes_ - in_flight_bytes_ > limits_.max_bytes) {
    // The oldest event overall that is not a marker (the newest say most about now) nor on its
    // way to CloudWatch.
    queue* oldest_q = nullptr;
    queue::iterator oldest;
    const std::string* oldest_stream = nullptr;
    for (auto& [stream, q] : queues_) {
      const auto it =
          std::find_if(q.begin(), q.end(), [](const entry& e) { return e.marker_count == 0; });
      if (it != q.end() && (oldest_q == nullptr || it->timestamp_ms < oldest->timestamp_ms)) {
        oldest_q = &q;
        oldest = it;
        oldest_stream = &stream;
      }
    }
    if (oldest_q == nullptr) break;  // only markers left
    auto& [count, newest] = dropped[*oldest_stream];
    newest = count == 0 ? oldest->timestamp_ms : std::max(newest, oldest->timestamp_ms);
    std::size_t ignored = 0;
    drop_locked(*oldest_q, oldest, ignored);
    ++count;
  }
  for (const auto& [stream, info] : dropped) {
    const auto [count, newest] = info;
    unlogged_drops_[stream] += count;
    // One marker per stream explains the gap; it absorbs the count of an earlier one.
    auto& q = queues_[stream];
    std::size_t total = count;
    std::int64_t ts = newest;
    const auto old =
        std::find_if(q.begin(), q.end(), [](const entry& e) { return e.marker_count > 0; });
    if (old != q.end()) {
      total += old->marker_count;
      ts = std::max(ts, old->timestamp_ms);
      std::size_t ignored = 0;
      drop_locked(q, old, ignored);
    }
    entry marker;
    marker.timestamp_ms = ts;
    marker.message = marker_message(total);
    marker.marker_count = total;
    persist_locked(stream, marker);
    insert_locked(stream, std::move(marker));
  }
}

void shipper::log_drops_locked(bool now) {
  if (unlogged_drops_.empty()) return;
  const auto t = clock_->monotonic();
  if (!now && last_drop_log_ && t - *last_drop_log_ < std::chrono::minutes{1}) return;
  for (const auto& [stream, count] : unlogged_drops_) {
    log_->error(
        "Undelivered events exceed the spool limits (" + std::to_string(limits_.max_events) +
            " events, " + std::to_string(limits_.max_bytes) + " bytes); dropped the " +
            std::to_string(count) + " oldest",
        {logging::kv("log_stream", stream), logging::kv("dropped", static_cast<long long>(count))});
  }
  unlogged_drops_.clear();
  last_drop_log_ = t;
}

bool shipper::enqueue(const std::string& stream, log_event event, bool emf) {
  const std::lock_guard lock(mutex_);
  entry e;
  static_cast<log_event&>(e) = std::move(event);
  e.emf = emf;
  persist_memory_only_locked();
  persist_locked(stream, e);
  const bool on_disk = e.journal_id.has_value();
  insert_locked(stream, std::move(e));
  enforce_bounds_locked();
  log_drops_locked(false);
  return on_disk;
}

std::vector<std::string> shipper::drop_expired_locked(delivery& d) {
  // Past the service's acceptance window: drop with a count instead of sending them to be
  // rejected (5 minutes of margin for the time the request takes).
  const std::int64_t oldest_allowed =
      core::to_epoch_millis(clock_->now() - max_event_age + std::chrono::minutes{5});
  std::vector<std::string> streams;
  for (auto& [stream, q] : queues_) {
    std::size_t expired = 0;
    while (!q.empty() && q.front().timestamp_ms < oldest_allowed) {
      drop_locked(q, q.begin(), expired);
    }
    if (expired > 0) {
      d.dropped += expired;
      log_->error("Dropped " + std::to_string(expired) +
                      " undelivered events older than CloudWatch Logs accepts (14 days)",
                  {logging::kv("log_stream", stream)});
    }
    streams.push_back(stream);
  }
  return streams;
}

std::optional<taken_batch> shipper::take_locked(const std::string& stream) {
  const auto found = queues_.find(stream);
  if (found == queues_.end() || found->second.empty()) return std::nullopt;
  auto& q = found->second;
  // One batch holds EMF documents only or none: the header covers the whole batch.
  const bool emf = q.front().emf;
  const auto window = q.begin() + static_cast<std::ptrdiff_t>(std::min(q.size(), max_batch_events));
  const auto kind_end =
      std::find_if(q.begin(), window, [emf](const entry& e) { return e.emf != emf; });
  const std::size_t n = next_batch_size(q.begin(), kind_end);
  taken_batch b;
  b.stream = stream;
  b.emf = emf;
  b.events.reserve(n);
  b.origins.reserve(n);
  const auto end = q.begin() + static_cast<std::ptrdiff_t>(n);
  for (auto it = q.begin(); it != end; ++it) {  // an iterator: q[i] costs a division each
    b.bytes += size_of(*it);
    b.origins.push_back({it->journal_id, it->marker_count});
    if (journal_ != nullptr && !it->journal_id) ++in_flight_memory_only_;
    b.events.push_back({it->timestamp_ms, std::move(it->message)});
  }
  q.erase(q.begin(), end);
  in_flight_events_ += n;
  in_flight_bytes_ += b.bytes;
  return b;
}

void shipper::put_back_locked(taken_batch& b) {
  auto& q = queues_[b.stream];
  // In reverse, each before everything queued since (which is no older, almost always).
  for (std::size_t i = b.events.size(); i-- > 0;) {
    entry e;
    e.timestamp_ms = b.events[i].timestamp_ms;
    e.message = std::move(b.events[i].message);
    e.journal_id = b.origins[i].journal_id;
    e.marker_count = b.origins[i].marker_count;
    e.emf = b.emf;
    if (q.empty() || e.timestamp_ms <= q.front().timestamp_ms) {
      q.push_front(std::move(e));
    } else {
      const auto pos =
          std::upper_bound(q.begin(), q.end(), e.timestamp_ms,
                           [](std::int64_t ts, const entry& x) { return ts < x.timestamp_ms; });
      q.insert(pos, std::move(e));
    }
  }
}

void shipper::settle_locked(taken_batch& b, const core::result<put_result>& r, delivery& d) {
  const std::size_t n = b.events.size();
  in_flight_events_ -= n;
  in_flight_bytes_ -= b.bytes;
  for (const auto& o : b.origins) {
    if (journal_ != nullptr && !o.journal_id && in_flight_memory_only_ > 0)
      --in_flight_memory_only_;
  }
  const bool rejected_whole = !r && is_definitive_rejection(r.error());
  if (!r && !rejected_whole) {
    put_back_locked(b);
    d.error = r.error();
    return;
  }
  std::vector<std::uint64_t> journal_ids;
  for (const auto& o : b.origins) {
    if (o.journal_id) {
      journal_ids.push_back(*o.journal_id);
    } else if (journal_ != nullptr && memory_only_ > 0) {
      --memory_only_;
    }
  }
  total_ -= n;
  bytes_ -= b.bytes;
  forget_locked(journal_ids);
  if (rejected_whole) {
    log_->error("CloudWatch Logs refused a batch of " + std::to_string(n) +
                    " events; dropped it: " + r.error().message,
                {logging::kv("log_stream", b.stream)});
    d.dropped += n;
    return;
  }
  d.delivered += r->accepted;
  d.rejected += r->rejected();
  if (r->rejected() > 0) {
    log_->error("CloudWatch Logs rejected " + std::to_string(r->rejected()) + " of " +
                    std::to_string(n) +
                    " events (too old: " + std::to_string(r->too_old + r->expired) +
                    ", too new: " + std::to_string(r->too_new) + "); check the host clock",
                {logging::kv("log_stream", b.stream)});
  }
}

// Sends `stream`'s queue batch by batch until it is empty or a batch fails and stays queued
// (d.error).
void shipper::flush_stream_locked(std::unique_lock<std::mutex>& lock, const std::string& stream,
                                  delivery& d) {
  while (!d.error) {
    auto b = take_locked(stream);
    if (!b) return;
    lock.unlock();  // never hold the lock across the network
    const auto r = publisher_->publish(b->stream, b->events, b->emf);
    lock.lock();
    settle_locked(*b, r, d);
  }
}

std::optional<taken_batch> shipper::take_batch() {
  const std::lock_guard lock(mutex_);
  persist_memory_only_locked();
  delivery ignored;  // expired events are dropped with an ERROR line each time
  for (const auto& stream : drop_expired_locked(ignored)) {
    if (auto b = take_locked(stream)) return b;
  }
  return std::nullopt;
}

void shipper::settle(taken_batch batch, const core::result<put_result>& r, delivery& d) {
  const std::lock_guard lock(mutex_);
  settle_locked(batch, r, d);
  if (d.error) persist_memory_only_locked();
  enforce_bounds_locked();
  log_drops_locked(false);
  d.pending = total_;
}

delivery shipper::flush_one() {
  delivery d;
  auto b = take_batch();
  if (!b) {
    d.pending = pending();
    return d;
  }
  const auto r = publisher_->publish(b->stream, b->events, b->emf);
  settle(std::move(*b), r, d);
  return d;
}

std::optional<std::int64_t> shipper::next_timestamp() const {
  const std::lock_guard lock(mutex_);
  for (const auto& [stream, q] : queues_) {
    if (!q.empty()) return q.front().timestamp_ms;
  }
  return std::nullopt;
}

std::pair<std::size_t, std::uint64_t> shipper::queued() const {
  const std::lock_guard lock(mutex_);
  return {total_ - in_flight_events_, bytes_ - in_flight_bytes_};
}

delivery shipper::flush() {
  delivery d;
  std::unique_lock lock(mutex_);
  persist_memory_only_locked();
  for (const auto& stream : drop_expired_locked(d)) {
    flush_stream_locked(lock, stream, d);
    if (d.error) break;
  }
  enforce_bounds_locked();  // what arrived while a batch was on its way may have passed them
  std::erase_if(queues_, [](const auto& kv) { return kv.second.empty(); });
  log_drops_locked(true);
  d.pending = total_;
  return d;
}

}  // namespace cwp::cloudwatch
