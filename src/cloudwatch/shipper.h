#pragma once
// Keeps events that are not delivered yet and delivers them, oldest first, per stream, in
// batches within PutLogEvents limits, with their original timestamps. Nothing is dropped
// because delivery failed: only the bounds (oldest dropped, counted, logged, and explained in the
// stream by a marker event), the service's 14-day window and a definitive rejection of the batch
// drop events, each with an ERROR line.
//
// With a journal (CWP_SPOOL_DIR), every event is written to disk before enqueue() returns and
// removed from it once delivered, so a restart delivers what a previous process kept. When the
// disk refuses a write (full, read-only), events are kept in memory only, with one ERROR, and
// written to the journal again as soon as it accepts writes.
//
// enqueue() may be called from any thread; flush() from one thread at a time. The lock is never
// held during a network call.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cloudwatch/publisher.h"
#include "cloudwatch/spool_limits.h"
#include "core/clock.h"
#include "spool/journal.h"

namespace cwp::cloudwatch {

struct delivery {
  std::size_t delivered{0};
  std::size_t rejected{0};  // refused by the service (too old/new): never reported as delivered
  std::size_t dropped{0};   // dropped here: over the bound, past the 14-day window, invalid
  std::size_t pending{0};   // still kept for a later attempt
  std::optional<core::error> error;  // why delivery stopped early
};

class shipper {
 public:
  // Takes over the events `journal` loaded (left by earlier processes), when there is one.
  shipper(publisher& pub, const logging::logger& log, const core::clock& clock,
          spool_limits limits = {}, spool::journal* journal = nullptr);

  // Keeps an event for `stream`, on disk first when there is a journal. When a bound is
  // reached the oldest events are dropped, and a marker event in their stream says how many.
  // Returns true when the event is on disk (false: memory only, with or without a journal).
  // `emf`: the event is an Embedded Metric Format document and goes in a batch with the EMF
  // header; other events (a job's output lines) never do, so a batch holds one kind only.
  // Events restored from the journal are EMF when their message is an EMF document
  // (is_emf_document).
  bool enqueue(const std::string& stream, log_event event, bool emf = false);
  // Tries to deliver everything kept. Stops at the first failure that may heal (network,
  // throttling, permissions being fixed) and keeps the rest for the next call.
  delivery flush();

  std::size_t pending() const;
  // What is kept has reached half of a bound: a producer that can wait (a job's output) should.
  bool half_full() const;
  std::uint64_t pending_bytes() const;
  // The timestamp of the oldest event kept (nullopt: none is kept).
  std::optional<core::sys_time> oldest_pending() const;
  std::size_t restored() const { return restored_; }  // events taken over from the journal

 private:
  struct entry : log_event {
    std::uint64_t key{0};                     // unique in this process
    std::optional<std::uint64_t> journal_id;  // set once it is on disk
    std::size_t marker_count{0};              // > 0: a "N events dropped" marker
    bool emf{false};                          // sent with the EMF header
  };
  using queue = std::deque<entry>;

  void insert_locked(const std::string& stream, entry e);
  void persist_locked(const std::string& stream, entry& e);
  void persist_memory_only_locked();
  void enforce_bounds_locked();
  void log_drops_locked(bool now);
  void drop_locked(queue& q, const queue::iterator& it, std::size_t& dropped_total);
  void forget_locked(const std::vector<std::uint64_t>& journal_ids);
  std::vector<std::string> drop_expired_locked(delivery& d);
  void flush_stream_locked(std::unique_lock<std::mutex>& lock, const std::string& stream,
                           delivery& d);
  // Sends one batch with the lock released; the batch is in flight meanwhile.
  core::result<put_result> send_locked(std::unique_lock<std::mutex>& lock,
                                       const std::string& stream,
                                       const std::vector<log_event>& batch,
                                       const std::set<std::uint64_t>& keys, bool emf);
  void remove_sent_locked(const std::string& stream, const std::set<std::uint64_t>& keys);
  static std::uint64_t size_of(const entry& e);

  publisher* publisher_;
  const logging::logger* log_;
  const core::clock* clock_;
  spool_limits limits_;
  spool::journal* journal_;

  mutable std::mutex mutex_;
  std::map<std::string, queue, std::less<>> queues_;
  std::size_t total_{0};
  std::uint64_t bytes_{0};
  // The batch being sent (lock released): the bounds hold for the rest of the queue, so an event
  // that is about to be delivered is never dropped, nor a marker already on its way absorbed.
  std::set<std::uint64_t> in_flight_;
  std::size_t in_flight_events_{0};
  std::uint64_t in_flight_bytes_{0};
  std::uint64_t next_key_{1};
  std::size_t memory_only_{0};  // entries the journal refused; > 0 means degraded
  // Drops not logged yet: one ERROR per stream at most every minute, not one per event.
  std::map<std::string, std::size_t, std::less<>> unlogged_drops_;
  std::optional<std::chrono::steady_clock::time_point> last_drop_log_;
  std::size_t restored_{0};
};

}  // namespace cwp::cloudwatch
