#include "daemon/run_loop.h"

#include <algorithm>
#include <csignal>

#include "core/time_format.h"
#include "daemon/health.h"

namespace cwp::daemon {
namespace {

const char* signal_name(int sig) {
  switch (sig) {
    case SIGTERM:
      return "SIGTERM";
    case SIGINT:
      return "SIGINT";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

// One heartbeat tick: records what is due and starts a delivery. Returns how long to wait.
std::chrono::milliseconds heartbeat_tick(const loop_parts& p, std::size_t& skipped_in_a_row) {
  const logging::logger& log = *p.log;
  const auto step = p.scheduler->poll(p.clock->now(), p.clock->monotonic());
  if (step.jump != schedule::clock_jump::none) {
    log.warn(std::string("The wall clock jumped ") +
             (step.jump == schedule::clock_jump::forward ? "forward" : "backward") +
             "; the schedule was re-planned from the new time");
  }
  if (step.missed > 0) {
    log.warn("Missed " + std::to_string(step.missed) +
                 " scheduled heartbeats (the process was paused or the clock jumped forward); "
                 "they are not backfilled",
             {logging::kv("missed", static_cast<long long>(step.missed))});
  }
  if (step.fire) {
    p.heartbeats->record(step.fire->scheduled);
    if (p.deliveries->trigger()) {
      skipped_in_a_row = 0;
    } else if (skipped_in_a_row++ == 0) {
      // The delivery run is not queued twice: the heartbeat is recorded and goes out with
      // the running delivery or the next one.
      log.warn("The previous delivery is still running; heartbeat of " +
               core::format_iso8601_seconds(step.fire->scheduled) +
               " is kept for the next delivery");
    }
  }
  return step.wait;
}

// Starts a delivery for what jobs enqueued, or for a retry that is due; without heartbeats also
// when none started for health_keepalive, so the health file shows the daemon alive. The flag is
// taken before the trigger: what jobs enqueue after that goes with this delivery or sets it again.
void deliver_if_due(const loop_parts& p, std::chrono::steady_clock::time_point& last_started) {
  if (p.deliveries->busy()) return;
  const auto now = p.clock->monotonic();
  const bool jobs_wrote = p.job_output != nullptr && p.job_output->exchange(false);
  const bool keepalive = p.scheduler == nullptr && now - last_started >= health_keepalive;
  if (jobs_wrote || keepalive || p.heartbeats->delivery_due(now)) {
    if (p.deliveries->trigger()) {
      last_started = now;
    } else if (jobs_wrote) {
      p.job_output->store(true);
    }
  }
}

// How long the loop may sleep at most, beyond the schedules' own deadlines: a second while
// something is in motion (a delivery running or waiting for its retry, jobs running or their
// output waiting), since those end without a signal; a second always when the waiter cannot
// notice a clock change (the loop must poll for jumps); else until the next keepalive without
// heartbeats, or the schedules' longest wait.
std::chrono::milliseconds wait_cap(const loop_parts& p,
                                   std::chrono::steady_clock::time_point last_started) {
  const bool in_motion = p.deliveries->busy() || p.heartbeats->failing() ||
                         (p.jobs != nullptr && p.jobs->running() > 0) ||
                         (p.job_output != nullptr && p.job_output->load());
  if (in_motion || !p.signals->notices_clock_changes()) return recheck_interval;
  if (p.scheduler != nullptr) return schedule::scheduler::max_wait;
  const auto until_keepalive = std::chrono::ceil<std::chrono::milliseconds>(
      last_started + health_keepalive - p.clock->monotonic());
  return std::clamp(until_keepalive, std::chrono::milliseconds{0},
                    std::chrono::milliseconds{health_keepalive});
}

}  // namespace

exit_code run_loop(const loop_parts& p) {
  const logging::logger& log = *p.log;
  if (p.scheduler != nullptr) {
    p.heartbeats->record(p.clock->now());
    p.deliveries->trigger();
  }

  std::size_t skipped_in_a_row = 0;
  auto last_delivery = p.clock->monotonic();
  while (true) {
    if (auto fatal = p.heartbeats->fatal()) return *fatal;
    std::chrono::milliseconds wait = schedule::scheduler::max_wait;
    if (p.scheduler != nullptr) wait = heartbeat_tick(p, skipped_in_a_row);
    if (p.jobs != nullptr) wait = std::min(wait, p.jobs->poll());
    deliver_if_due(p, last_delivery);
    wait = std::min(wait, wait_cap(p, last_delivery));

    const auto sig = p.signals->wait_for(wait);
    if (!sig) continue;
    if (*sig == SIGTERM || *sig == SIGINT) {
      log.info(std::string("Received ") + signal_name(*sig) + ", shutting down");
      return exit_code::ok;
    }
    if (*sig == SIGHUP) {
      log.info(p.reloads_crontab ? "Received SIGHUP, reloading the crontab and credentials"
                                 : "Received SIGHUP, reloading credentials");
      if (p.on_reload) p.on_reload();
    } else if (*sig == SIGCHLD) {
      p.children->reap();
    }
  }
}

}  // namespace cwp::daemon
