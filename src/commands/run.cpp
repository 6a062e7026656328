#include "commands/run.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "cloudwatch/heartbeat.h"
#include "commands/crontab_file.h"
#include "commands/crontab_reload.h"
#include "commands/startup.h"
#include "commands/stream_names.h"
#include "daemon/assembly.h"
#include "daemon/health.h"
#include "daemon/heartbeat_service.h"
#include "daemon/job_service.h"
#include "daemon/run_loop.h"
#include "daemon/startup.h"
#include "daemon/worker.h"
#include "jobs/spawn.h"
#include "schedule/duration.h"
#include "schedule/scheduler.h"

namespace cwp::commands {
namespace {

using daemon::exit_code;

daemon::health_state initial_health(const config::settings& s, core::sys_time now) {
  daemon::health_state state;
  state.pid = static_cast<long long>(::getpid());
  state.schedule = s.heartbeats ? s.schedule.text() : std::string(daemon::no_heartbeat_schedule);
  state.splay_max = s.splay.max();
  state.started = now;
  return state;
}

// After the loop: one last delivery attempt for what is still kept, within the grace period.
// Returns the process's exit code.
exit_code shut_down(exit_code code, daemon::runner& deliveries,
                    daemon::heartbeat_service& heartbeats, bool spooled, const daemon::platform& p,
                    const logging::logger& log) {
  const auto deadline = p.clock->monotonic() + shutdown_grace;
  heartbeats.stopping();
  deliveries.wait_idle(shutdown_grace);
  if (code == exit_code::ok && heartbeats.undelivered() > 0 && !deliveries.busy()) {
    deliveries.trigger();
  }
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - p.clock->monotonic());
  if (!deliveries.wait_idle(std::max(left, std::chrono::milliseconds{0}))) {
    log.warn("Shutdown grace period over; abandoning the delivery in flight",
             {logging::kv("undelivered", static_cast<long long>(heartbeats.undelivered()))});
    p.abandon(code);
    return code;  // only reached when abandon returns (tests)
  }
  if (heartbeats.undelivered() > 0) {
    log.warn("Stopped with " + std::to_string(heartbeats.undelivered()) +
             " undelivered heartbeats" +
             (spooled ? "; they stay in the spool for the next start" : "; they are lost"));
  }
  if (auto fatal = heartbeats.fatal()) return *fatal;
  return code;
}

// The crontab of CWP_CRONTAB, checked completely (exit 2 on an error); its warnings at WARN.
// nullopt with `failed` set when it cannot be used; an empty crontab without CWP_CRONTAB.
std::optional<jobs::crontab> crontab_or_log(const config::settings& s, const logging::logger& log) {
  if (s.crontab.empty()) return jobs::crontab{};
  auto tab = load_crontab(s.crontab);
  if (!tab) {
    log.error(tab.error().message);
    return std::nullopt;
  }
  for (const auto& warning : tab->warnings) log.warn(warning);
  return std::move(*tab);
}

// SIGTERM to the running jobs, up to CWP_STOP_GRACE for them to end and report.
void stop_jobs(daemon::job_service& jobs, std::chrono::milliseconds grace,
               const logging::logger& log) {
  const auto running = jobs.running();
  if (running == 0) return;
  log.info("Stopping " + std::to_string(running) + " running jobs (SIGTERM; up to " +
           schedule::format_duration(grace) + " before SIGKILL)");
  if (const auto left = jobs.stop_all(grace); left > 0) {
    log.warn(std::to_string(left) + " jobs were still running after CWP_STOP_GRACE; killed them");
  }
}

// What the job service needs: the crontab's jobs and where their output and results go.
struct job_wiring {
  cloudwatch::shipper& shipper;
  const daemon::heartbeat_service& heartbeats;
  std::atomic<bool>& output_ready;
};

daemon::job_service::parts job_parts(const config::settings& s, jobs::crontab tab,
                                     const cloudwatch::template_values& stream_values, job_wiring w,
                                     const daemon::platform& p, const logging::logger& log) {
  return {.jobs = std::move(tab.jobs),
          .default_stream = s.job_stream,
          .default_max_output = s.job_max_output,
          .stream_values = stream_values,
          .environment = jobs::job_environment(p.env, {}),
          .boot_id = cloudwatch::new_boot_id(),
          .source = {s.hostname, s.emf},
          .shipper = &w.shipper,
          .children = p.children,
          .clock = p.clock,
          .log = &log,
          .output_ready = [&ready = w.output_ready] { ready = true; },
          .congested = [&shipper = w.shipper,
                        &heartbeats =
                            w.heartbeats] { return shipper.half_full() && !heartbeats.failing(); }};
}

}  // namespace

exit_code run_daemon(const config::settings& s, daemon::platform& p, daemon::waiter& signals) {
  const logging::logger entry(*p.sink, *p.clock, daemon::entrypoint_service, s.log_level);
  const logging::logger log = entry.with_service(daemon::publisher_service);

  if (auto failed = validate_environment(s, *p.credentials, entry)) return *failed;
  auto names = stream_names_or_log(s, config::setting::log_stream, p, entry);
  if (!names) return exit_code::usage;
  auto tab = crontab_or_log(s, entry);
  if (!tab) return exit_code::usage;
  if (!s.heartbeats && tab->jobs.empty()) {
    entry.error("CWP_SCHEDULE=off needs jobs to run: set CWP_CRONTAB to a crontab with jobs");
    return exit_code::usage;
  }
  // Before the credentials check, which may wait on the network: from now on `health` judges
  // this process, not a file a previous one left.
  daemon::health_recorder health(s.health_file, initial_health(s, p.clock->now()), log);
  health.start();

  const daemon::aws_clients aws(aws_settings_of(s), p, &log);
  // AWS being unreachable is not a credential failure: start, deliver, validate later.
  const auto validated =
      daemon::validate_credentials(aws.sts, entry, daemon::heartbeat_service::unvalidated_note);
  if (validated == daemon::validation::rejected) return exit_code::credentials_rejected;

  daemon::publishing out({.target = publisher_options_of(s, /*with_retention=*/true),
                          .limits = s.spool_limits,
                          .journal_dir = s.spool_dir},
                         aws, p, log);
  if (out.shipper.restored() > 0) {
    log.info("Restored " + std::to_string(out.shipper.restored()) +
                 " undelivered events from the spool; delivering them first",
             {logging::kv("spool_dir", s.spool_dir)});
  }
  const auto random_seed = [&p] {
    return static_cast<std::uint64_t>(p.uniform01() * 18446744073709551615.0);
  };
  cloudwatch::stream_precreator precreate(out.publisher, log, *names, random_seed());
  daemon::heartbeat_service heartbeats(
      {s.log_group, std::move(*names), &aws.sts_recheck, &out.shipper, &entry, &log, p.clock,
       cloudwatch::heartbeat_source{s.hostname, CWP_VERSION, s.schedule.text(),
                                    cloudwatch::new_boot_id(), p.clock->now(), s.emf},
       &health, s.heartbeats ? &precreate : nullptr},
      validated == daemon::validation::valid);
  daemon::thread_runner deliveries([&heartbeats] { heartbeats.deliver(); });
  std::atomic<bool> job_output{false};
  const auto job_count = tab->jobs.size();
  daemon::job_service jobs(
      job_parts(s, std::move(*tab), names->values, {out.shipper, heartbeats, job_output}, p, log));

  schedule::scheduler scheduler(s.schedule, s.splay, random_seed());
  log.info("Scheduler started",
           {logging::kv("schedule", s.heartbeats ? s.schedule.text() : std::string("off")),
            logging::kv("log_group", s.log_group), logging::kv("log_stream", s.log_stream.text()),
            logging::kv("jobs", static_cast<long long>(job_count))});

  const daemon::loop_parts parts{.scheduler = s.heartbeats ? &scheduler : nullptr,
                                 .clock = p.clock,
                                 .signals = &signals,
                                 .deliveries = &deliveries,
                                 .heartbeats = &heartbeats,
                                 .log = &log,
                                 .on_reload =
                                     [&] {
                                       p.credentials->invalidate();
                                       if (!s.crontab.empty()) {
                                         reload_crontab(s.crontab, s.heartbeats, jobs, log);
                                       }
                                     },
                                 .reloads_crontab = !s.crontab.empty(),
                                 .children = p.children,
                                 .jobs = &jobs,
                                 .job_output = &job_output};
  const auto code = daemon::run_loop(parts);
  stop_jobs(jobs, s.stop_grace, log);
  return shut_down(code, deliveries, heartbeats, out.journal != nullptr, p, log);
}

}  // namespace cwp::commands
