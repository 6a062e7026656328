#include "daemon/run_loop.h"

#include <csignal>

#include "core/time_format.h"

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

}  // namespace

exit_code run_loop(const loop_parts& p) {
  const logging::logger& log = *p.log;
  p.heartbeats->record(p.clock->now());
  p.deliveries->trigger();

  std::size_t skipped_in_a_row = 0;
  while (true) {
    if (auto fatal = p.heartbeats->fatal()) return *fatal;

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
    } else if (!p.deliveries->busy() && p.heartbeats->delivery_due(p.clock->monotonic())) {
      p.deliveries->trigger();
    }

    const auto sig = p.signals->wait_for(step.wait);
    if (!sig) continue;
    if (*sig == SIGTERM || *sig == SIGINT) {
      log.info(std::string("Received ") + signal_name(*sig) + ", shutting down");
      return exit_code::ok;
    }
    if (*sig == SIGHUP) {
      log.info("Received SIGHUP, reloading credentials");
      if (p.on_reload) p.on_reload();
    } else if (*sig == SIGCHLD) {
      p.children->reap();
    }
  }
}

}  // namespace cwp::daemon
