#pragma once
// The batching half of `send`: takes messages one at a time, hands them to the shipper and
// decides when a batch goes out: as soon as it is full, when the input has been quiet for
// send_idle_flush, or when its oldest line has waited send_max_delay; a failed delivery is
// retried after send_first_retry, doubling up to send_max_retry, while input keeps being read.
// Counts what it did in a send_stats (the summary line). Not thread-safe.
//
// Without a delivery_pool a full batch is delivered before the next line is read, one call at a
// time. With one (CWP_SEND_CONCURRENCY > 1) a full batch is handed to the pool and reading goes
// on while up to `concurrency` calls are in flight; a flush (quiet input, oldest line waited,
// end of input) hands over everything queued and waits for it to settle. Either way a failed
// batch stays kept and is retried after send_first_retry, doubling up to send_max_retry.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cloudwatch/batch.h"
#include "cloudwatch/names.h"
#include "cloudwatch/shipper.h"
#include "commands/delivery_pool.h"
#include "core/clock.h"
#include "core/error.h"
#include "io/line_source.h"
#include "logging/logger.h"

namespace cwp::commands {

// A half-full batch goes out when no line arrived for this long...
inline constexpr std::chrono::milliseconds send_idle_flush{500};
// ...or when its oldest line has waited this long (a pipe that never pauses).
inline constexpr std::chrono::seconds send_max_delay{5};
// After a failed delivery the next attempt waits 1 s, doubling up to 30 s (input keeps being read).
inline constexpr std::chrono::seconds send_first_retry{1};
inline constexpr std::chrono::seconds send_max_retry{30};
// The progress line (terminals only) appears after a second and is redrawn this often.
inline constexpr std::chrono::seconds progress_after{1};
inline constexpr std::chrono::milliseconds progress_every{500};

struct send_stats {
  std::uint64_t lines{0};          // lines read, however many pieces each (or 1 for a message)
  std::uint64_t empty{0};          // empty lines skipped
  std::uint64_t split_lines{0};    // lines larger than one event, split into several
  std::size_t max_event_bytes{0};  // CWP_MAX_EVENT_BYTES, named when lines were split
  std::uint64_t events{0};
  std::uint64_t bytes{0};    // message bytes of all events
  std::uint64_t batches{0};  // PutLogEvents calls that succeeded
  std::uint64_t retries{0};
  std::uint64_t delivered{0};  // of this run's events and the restored ones
  std::uint64_t restored{0};   // left in the spool by an earlier send
  std::uint64_t kept{0};       // not delivered, kept in the spool for the next send
  std::chrono::duration<double> elapsed{0};
  std::uint64_t not_delivered() const {
    return events + restored > delivered ? events + restored - delivered : 0;
  }
};

// The summary line: counts, retries, time and rate.
std::string summary_line(const send_stats& stats);
// The progress line of a terminal: lines, batches, bytes and rate so far.
std::string progress_line(const send_stats& stats);

// Refers to the shipper, clock, log and stats, which must outlive it.
class sender {
 public:
  // `max_event_bytes`: the largest event made (message + 26 bytes, CWP_MAX_EVENT_BYTES).
  // `pool`: null delivers one batch at a time on the caller's thread.
  sender(cloudwatch::shipper& shipper, const core::clock& clock, const logging::logger& log,
         cloudwatch::stream_names stream, send_stats& stats, std::size_t max_event_bytes,
         delivery_pool* pool = nullptr)
      : shipper_(&shipper),
        pool_(pool),
        clock_(&clock),
        log_(&log),
        stream_(std::move(stream)),
        stats_(&stats),
        max_message_bytes_(max_event_bytes - cloudwatch::per_event_overhead_bytes) {
    stats.max_event_bytes = max_event_bytes;
  }

  // One input line or message, or a piece of a long line: valid UTF-8, split when larger than
  // one event, timestamped (and its stream chosen) when its line began. Counts the lines. Empty
  // lines are skipped (CloudWatch Logs rejects empty messages).
  // The piece's text is moved, not copied, into the event.
  void add(io::line_piece&& input);
  void add(const io::line_piece& input) { add(io::line_piece(input)); }
  // A batch is due when the input went quiet or the oldest queued line has waited too long.
  void flush_if_due(std::chrono::steady_clock::time_point last_input);
  // How long the reader may wait for input before a flush could be due.
  std::chrono::milliseconds wait_budget(std::chrono::steady_clock::time_point last_input) const;
  // Delivers what is queued. Before the final attempt, a failure waits for its retry time.
  void flush(bool final);

  const std::optional<core::error>& last_error() const { return last_error_; }

 private:
  // One event of the current line: a full batch goes out before it is queued.
  void queue_event(const std::string& stream, std::string message);
  // A full batch is queued: delivered now, or handed to the pool (not while a retry waits).
  void dispatch();
  // Hands everything queued to the pool, batch by batch. A batch that continues a split line
  // the previous batch ended with waits for it to settle first: the pieces of a line share one
  // timestamp, so only the order of the calls keeps them in order. False: a failure came back
  // meanwhile and the retry waits (not when `final`).
  bool hand_over(bool final);
  // Takes in what the pool settled since the last call.
  void collect(bool final);
  // Counts a delivery attempt's outcome; a failure schedules the retry.
  void record(std::size_t delivered, const std::optional<core::error>& error, std::size_t pending,
              bool final);
  // The stream of an event at `t`: rendered once per UTC day ({date} is the only part that
  // changes), not once per line.
  const std::string* stream_at(core::sys_time t);

  cloudwatch::shipper* shipper_;
  delivery_pool* pool_;
  const core::clock* clock_;
  const logging::logger* log_;
  cloudwatch::stream_names stream_;
  send_stats* stats_;
  std::size_t max_message_bytes_;
  std::size_t queued_events_{0};  // since the queue was last empty
  std::size_t queued_bytes_{0};
  std::chrono::steady_clock::time_point first_queued_{};
  std::chrono::steady_clock::time_point retry_at_{};
  std::chrono::seconds retry_delay_{send_first_retry};
  std::optional<core::error> last_error_;
  bool in_line_{false};  // the last piece added did not end its line
  core::sys_time line_started_{};
  std::optional<core::sys_time> read_at_;       // when the latest piece that was not buffered came
  std::size_t line_events_{0};                  // events made of the current line so far
  std::int64_t stream_day_{-1};                 // the UTC day `stream_name_` was rendered for
  std::optional<std::int64_t> split_line_ms_;   // the timestamp of the latest split line
  std::optional<std::int64_t> last_handed_ms_;  // the last event handed to the pool
  std::string stream_name_;
};

}  // namespace cwp::commands
