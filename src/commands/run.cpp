#include "commands/run.h"

#include <unistd.h>

#include <algorithm>

#include "cloudwatch/heartbeat.h"
#include "commands/startup.h"
#include "commands/stream_names.h"
#include "daemon/assembly.h"
#include "daemon/health.h"
#include "daemon/heartbeat_service.h"
#include "daemon/run_loop.h"
#include "daemon/startup.h"
#include "daemon/worker.h"
#include "schedule/scheduler.h"

namespace cwp::commands {
namespace {

using daemon::exit_code;

daemon::health_state initial_health(const config::settings& s, core::sys_time now) {
  daemon::health_state state;
  state.pid = static_cast<long long>(::getpid());
  state.schedule = s.schedule.text();
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

}  // namespace

exit_code run_daemon(const config::settings& s, daemon::platform& p, daemon::waiter& signals) {
  const logging::logger entry(*p.sink, *p.clock, daemon::entrypoint_service, s.log_level);
  const logging::logger log = entry.with_service(daemon::publisher_service);

  if (auto failed = validate_environment(s, *p.credentials, entry)) return *failed;
  auto names = stream_names_or_log(s, config::setting::log_stream, p, entry);
  if (!names) return exit_code::usage;
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
       &health, &precreate},
      validated == daemon::validation::valid);
  daemon::thread_runner deliveries([&heartbeats] { heartbeats.deliver(); });

  schedule::scheduler scheduler(s.schedule, s.splay, random_seed());
  log.info("Scheduler started",
           {logging::kv("schedule", s.schedule.text()), logging::kv("log_group", s.log_group),
            logging::kv("log_stream", s.log_stream.text())});

  const daemon::loop_parts parts{.scheduler = &scheduler,
                                 .clock = p.clock,
                                 .signals = &signals,
                                 .deliveries = &deliveries,
                                 .heartbeats = &heartbeats,
                                 .log = &log,
                                 .on_reload = [&p] { p.credentials->invalidate(); },
                                 .children = p.children};
  return shut_down(daemon::run_loop(parts), deliveries, heartbeats, out.journal != nullptr, p, log);
}

}  // namespace cwp::commands
