#pragma once
// The daemon's main loop: asks the scheduler what is due, records heartbeats, starts deliveries
// (never two at once), and handles signals between ticks. Everything it touches is an
// interface, so tests drive it with a fake clock, a scripted signal source and an inline runner.

#include <atomic>
#include <chrono>
#include <functional>

#include "core/child_registry.h"
#include "core/clock.h"
#include "daemon/exit_code.h"
#include "daemon/heartbeat_service.h"
#include "daemon/job_service.h"
#include "daemon/signals.h"
#include "daemon/worker.h"
#include "logging/logger.h"
#include "schedule/scheduler.h"

namespace cwp::daemon {

// The loop's longest sleep while a delivery or a job is in motion, or when its waiter cannot
// notice clock changes (see wait_cap in run_loop.cpp). An idle daemon whose waiter notices them
// sleeps until its next tick: one wake-up per heartbeat.
inline constexpr std::chrono::milliseconds recheck_interval{1000};

struct loop_parts {
  schedule::scheduler* scheduler;  // null: no heartbeats (CWP_SCHEDULE=off, with a crontab)
  const core::clock* clock;
  waiter* signals;
  runner* deliveries;
  heartbeat_service* heartbeats;
  const logging::logger* log;
  std::function<void()> on_reload;  // SIGHUP, after the INFO line
  bool reloads_crontab{false};      // on_reload reads the crontab again (for the INFO line)
  core::child_registry* children;   // SIGCHLD: reaps orphans, keeps registered children's status
  job_service* jobs{nullptr};       // optional: the crontab's jobs, polled with the heartbeat
  // Set by the jobs when they enqueued events: the loop starts a delivery for them.
  std::atomic<bool>* job_output{nullptr};
};

// Runs until SIGTERM/SIGINT (returns ok) or a fatal credentials rejection (returns its code).
// The first heartbeat is recorded at once, before the first scheduled tick. Running jobs are
// left to the caller (job_service::stop_all).
exit_code run_loop(const loop_parts& p);

}  // namespace cwp::daemon
