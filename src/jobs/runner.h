#pragma once
// Runs one job once: spawns it (its own process group, registered with the child registry),
// reads its stdout and stderr line by line in bounded memory, turns every line into an event of
// the run's log stream (in the order read, timestamps never going back), enforces the timeout
// (SIGTERM to the group, SIGKILL after the grace) and measures the run_result. Publishing the
// result (event, EMF, our log line) is publish_result's job, so a run that never started
// (skipped) is reported the same way.
//
// run() blocks the calling thread until the run is over: the process exited and its output is
// read (or, when something it left behind keeps the pipes open, after output_drain without
// output once it exited).
// forward() and stop() may be called from any thread while it runs.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cloudwatch/shipper.h"
#include "core/child_registry.h"
#include "core/clock.h"
#include "core/unique_fd.h"
#include "jobs/run_result.h"
#include "logging/logger.h"

namespace cwp::jobs {

// After the process exited, the run ends when its output stays quiet this long (something it
// left behind keeps the pipes open).
inline constexpr std::chrono::seconds output_drain{1};
// Each event holds at most this much of a line; a longer line becomes several events.
inline constexpr std::size_t line_piece_bytes = 256U * 1024U - 26U;
// While output is held back (run_output::congested), how often the run looks again.
inline constexpr std::chrono::milliseconds hold_recheck{20};
// The kill grace of a run without one (exec; crontab jobs always have theirs).
inline constexpr std::chrono::seconds default_kill_grace{10};

// What to execute, as the crontab parser (or exec) decided.
struct run_command {
  std::optional<std::vector<std::string>> argv;  // set: executed directly (PATH lookup)
  std::string shell;                             // unset argv: `shell -c command`
  std::string command;
  std::vector<std::string> environment;  // "NAME=value", all of it (job_environment)
  bool inherit_stdin{false};             // false: /dev/null
};

struct run_request {
  std::string job;
  std::string run_id;
  std::string schedule;  // as written; empty for exec
  core::sys_time scheduled;
  run_command command;
  std::optional<std::chrono::milliseconds> timeout;  // unset: none
  std::chrono::milliseconds kill_grace{default_kill_grace};
  std::optional<std::uint64_t> max_output_bytes;  // published per run; unset: no bound
};

// Where a run's output goes.
struct run_output {
  cloudwatch::shipper* shipper{nullptr};
  std::string stream;            // the run's log stream (rendered at the start of the run)
  std::function<void()> notify;  // optional: called after new events were enqueued
  int copy_stdout{-1};           // >= 0: every stdout line is written here too (exec)
  int copy_stderr{-1};
  // Optional backpressure: while it returns true (the shipper holds much undelivered while
  // delivery works), the run's output is not read, so the job waits on its writes rather than
  // its lines being dropped at the spool bounds. Asked about every hold_recheck.
  std::function<bool()> congested;
};

class job_run {
 public:
  job_run(core::child_registry& children, const core::clock& clock, run_output output);
  job_run(const job_run&) = delete;
  job_run& operator=(const job_run&) = delete;
  job_run(job_run&&) = delete;
  job_run& operator=(job_run&&) = delete;
  ~job_run() = default;

  run_result run(const run_request& request);

  // Sends `signal` to the run's process group (now, or as soon as it has started).
  // Async-signal-safe: a signal handler may call it.
  void forward(int signal);
  // Stops the run as a timeout would (SIGTERM, SIGKILL after the grace); the result is a
  // failure with `reason` (e.g. "stopped: cloudwatch-publisher is shutting down"); when stopped
  // twice, the first reason is kept.
  void stop(const std::string& reason);

  // The timestamp of the last event enqueued: a result event must not come before it.
  std::int64_t last_timestamp_ms() const { return last_ts_; }

 private:
  struct stream_state;
  class loop;
  friend class loop;

  core::child_registry* children_;
  const core::clock* clock_;
  run_output output_;
  core::unique_fd control_read_;  // one byte per request: a signal number, or 0 for stop
  core::unique_fd control_write_;
  std::mutex reason_mutex_;
  std::string stop_reason_;
  std::int64_t last_ts_{0};
};

// Publishes a result: the result event in `stream` (with the EMF header when source.emf),
// timestamped no earlier than `not_before_ms`, and our own log line (log_level/log_message).
void publish_result(const run_result& result, const result_source& source,
                    cloudwatch::shipper& shipper, const std::string& stream,
                    const logging::logger& log, std::int64_t not_before_ms = 0);

}  // namespace cwp::jobs
