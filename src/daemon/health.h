#pragma once
// The daemon's health, as `run` records it and `health` judges it. `run` rewrites a small JSON
// state file after every delivery attempt (atomically: a temporary file renamed over the old
// one, so a reader never sees half a file); `health` reads it and decides whether the last
// successful delivery is recent enough for the schedule.
//
// The rule: after a delivery (or the start, before the first one) the next successful delivery
// is due by the SECOND scheduled tick after it, plus the splay's maximum and health_slack. One
// failed tick is tolerated; a second one in a row, a hung or dead daemon, makes it unhealthy.
//
// Without heartbeats (CWP_SCHEDULE=off, schedule "off" in the file) there is no tick to expect:
// the daemon's loop starts a delivery attempt at least every health_keepalive (an empty one
// when nothing waits), so a recent attempt shows the loop and the delivery worker are alive; and
// delivery must not have been failing for longer than health_failing_limit.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/error.h"
#include "daemon/exit_code.h"
#include "logging/logger.h"
#include "schedule/cron_expression.h"

namespace cwp::daemon {

// Time allowed beyond the schedule for retries (a failed delivery is retried after 5 s, then at
// the next tick) and a slow network (requests time out after 15 s).
inline constexpr std::chrono::seconds health_slack{30};
// Without heartbeats: the longest time between two delivery attempts of a live daemon, and how
// long delivery may fail before the daemon is unhealthy (what the default schedule,
// */1 * * * *, tolerates: two ticks plus the slack).
inline constexpr std::chrono::seconds health_keepalive{30};
inline constexpr std::chrono::seconds health_failing_limit{150};
inline constexpr std::string_view no_heartbeat_schedule{"off"};

// How one delivery attempt ended, for the health file.
enum class attempt_result {
  failed,       // an error: something is still waiting
  nothing_new,  // no error, nothing delivered (nothing was waiting)
  delivered,    // events were delivered
};

struct health_state {
  long long pid{0};
  std::string schedule;  // the daemon's schedule, as given
  std::chrono::milliseconds splay_max{0};
  core::sys_time started;
  std::optional<core::sys_time> last_attempt;
  std::optional<core::sys_time> last_success;
  // The first failed attempt since the last one that did not fail; unset while delivery works.
  std::optional<core::sys_time> failing_since;
  std::size_t undelivered{0};
};

std::string to_json(const health_state& s);
core::result<health_state> parse_health_state(std::string_view text);

// When the state stops being healthy without a newer successful delivery.
core::sys_time healthy_until(const health_state& s, const schedule::cron_expression& schedule);

struct health_verdict {
  bool healthy{false};
  std::string reason;  // one line for operators
};

// Judges a state at `now`; a schedule that does not parse (other than "off") makes the state
// invalid.
health_verdict judge_health(const health_state& s, core::sys_time now);

// Replaces `path` with `content` atomically and without following planted links (see
// core/atomic_file.h), creating its directory 0700 when missing (the default path's
// /run/cloudwatch-publisher); mode 0644, so a monitoring agent of another user may read it.
core::result<void> write_file_atomically(const std::string& path, std::string_view content);

// Owned by `run`: keeps the state and rewrites the file. A write failure is one WARN line (again
// only after a write succeeded in between); it never stops the daemon. Not thread-safe: used by
// the main thread before the delivery worker starts, then by the worker only.
class health_recorder {
 public:
  health_recorder(std::string path, health_state initial, const logging::logger& log)
      : path_(std::move(path)), state_(std::move(initial)), log_(&log) {}

  // Writes the initial state (replacing a previous run's file).
  void start();
  // A delivery attempt ended at `at`.
  void attempt(core::sys_time at, attempt_result result, std::size_t undelivered);

  const health_state& state() const { return state_; }

 private:
  void write();

  std::string path_;
  health_state state_;
  const logging::logger* log_;
  bool failing_{false};
};

}  // namespace cwp::daemon
