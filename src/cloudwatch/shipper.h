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
// held during a network call. Besides flush(), batches can be taken out (take_batch) and
// settled (settle) by several threads at once, each publishing its own batch: `send` keeps
// several PutLogEvents calls in flight that way (commands/delivery_pool.h).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
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

// A batch taken out of the queues: on its way to CloudWatch until settle() removes it
// (delivered, or refused for good) or puts it back at the front of its stream (failed). Its
// events stay counted in pending() but are outside the bounds, so an event on its way is never
// dropped. The message strings were moved, not copied, out of the queue.
struct taken_batch {
  struct origin {
    std::optional<std::uint64_t> journal_id;
    std::size_t marker_count{0};
  };
  std::string stream;
  bool emf{false};
  std::vector<log_event> events;  // in timestamp order, within the PutLogEvents limits
  std::vector<origin> origins;    // per event, for settle()
  std::uint64_t bytes{0};         // as a batch counts them
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
  // Delivers the next batch only (take_batch, publish, settle): a caller that lets batches fill
  // (commands/job_delivery.h) decides when the next one goes.
  delivery flush_one();

  // The next batch (oldest first, of the first stream with events), taken out of the queues;
  // nullopt when nothing is queued. Events past the 14-day window are dropped first.
  std::optional<taken_batch> take_batch();
  // Settles a taken batch with what publishing it gave: delivered or refused for good (removed,
  // counted in `d`), or failed (put back, in order, before what was queued since; d.error).
  void settle(taken_batch batch, const core::result<put_result>& r, delivery& d);
  // The timestamp of the first event the next take_batch would take (nullopt: none queued).
  std::optional<std::int64_t> next_timestamp() const;
  // Events and bytes queued and not taken (what the next take_batch calls would take).
  std::pair<std::size_t, std::uint64_t> queued() const;

  std::size_t pending() const;  // queued and taken, not settled
  // What is kept has reached half of a bound: a producer that can wait (a job's output) should.
  bool half_full() const;
  std::uint64_t pending_bytes() const;
  // The timestamp of the oldest event kept (nullopt: none is kept).
  std::optional<core::sys_time> oldest_pending() const;
  std::size_t restored() const { return restored_; }  // events taken over from the journal

 private:
  struct entry : log_event {
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
  std::optional<taken_batch> take_locked(const std::string& stream);
  void settle_locked(taken_batch& batch, const core::result<put_result>& r, delivery& d);
  void put_back_locked(taken_batch& batch);
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
  // The batches taken out (on their way, lock released): the bounds hold for the queues only, so
  // an event that is about to be delivered is never dropped, nor a marker on its way absorbed.
  std::size_t in_flight_events_{0};
  std::uint64_t in_flight_bytes_{0};
  std::size_t memory_only_{0};            // entries the journal refused; > 0 means degraded
  std::size_t in_flight_memory_only_{0};  // of those, the ones taken (on their way)
  // Drops not logged yet: one ERROR per stream at most every minute, not one per event.
  std::map<std::string, std::size_t, std::less<>> unlogged_drops_;
  std::optional<std::chrono::steady_clock::time_point> last_drop_log_;
  std::size_t restored_{0};
};

}  // namespace cwp::cloudwatch
