#include "daemon/app.h"

#include <unistd.h>

#include <algorithm>

#include "aws/clock_skew.h"
#include "aws/service_client.h"
#include "aws/sts_client.h"
#include "cloudwatch/heartbeat.h"
#include "cloudwatch/logs_client.h"
#include "cloudwatch/publisher.h"
#include "cloudwatch/shipper.h"
#include "daemon/health.h"
#include "daemon/heartbeat_service.h"
#include "daemon/instance_id.h"
#include "daemon/run_loop.h"
#include "daemon/startup.h"
#include "daemon/worker.h"
#include "spool/journal.h"

namespace cwp::daemon {
namespace {

// The AWS clients of one process, sharing retry quota and signing clock.
struct clients {
  clients(const config::settings& s, platform& p, const logging::logger& log)
      : skew(*p.clock),
        context{p.transport, p.credentials,
                p.clock,     &skew,
                s.retry,     std::make_shared<aws::retry_quota>(),
                p.uniform01, http::send_options{},
                &log},
        sts(aws::service_client(context, s.sts_endpoint)),
        logs(aws::service_client(context, s.logs_endpoint)) {}

  aws::clock_skew skew;
  aws::client_context context;
  aws::sts_client sts;
  cloudwatch::logs_client logs;
};

// The disk spool when CWP_SPOOL_DIR is set. A directory that cannot be used is not fatal: a
// heartbeat publisher keeps running and keeps events in memory, and says so loudly.
std::unique_ptr<spool::journal> open_spool(const config::settings& s, const logging::logger& log) {
  if (s.spool_dir.empty()) return nullptr;
  auto journal = spool::journal::open(s.spool_dir);
  if (!journal) {
    log.error("Cannot use the spool directory; undelivered events are kept in memory only: " +
                  journal.error().message,
              {logging::kv("spool_dir", s.spool_dir)});
    return nullptr;
  }
  const auto& loaded = (*journal)->loaded();
  if (loaded.torn_segments > 0) {
    log.warn("The spool held a record torn by a crash; skipped it (it was never acknowledged)",
             {logging::kv("spool_dir", s.spool_dir),
              logging::kv("ignored_bytes", static_cast<long long>(loaded.ignored_bytes))});
  }
  if (loaded.damaged_records > 0) {
    log.error(
        "The spool held records damaged on disk; skipped them (an event among them is lost, "
        "one they marked delivered is sent again)",
        {logging::kv("spool_dir", s.spool_dir),
         logging::kv("damaged_records", static_cast<long long>(loaded.damaged_records)),
         logging::kv("damaged_bytes", static_cast<long long>(loaded.damaged_bytes))});
  }
  return std::move(*journal);
}

}  // namespace

exit_code run_once(const config::settings& given, platform& p) {
  config::settings s = given;  // gets the resolved {instance_id}
  const logging::logger entry(*p.sink, *p.clock, entrypoint_service, s.log_level);
  const logging::logger log = entry.with_service(publisher_service);

  if (auto failed = validate_environment(s, *p.credentials, entry)) return *failed;
  if (auto failed = fill_instance_id(s, s.log_stream, "CWP_LOG_STREAM", p, entry)) return *failed;
  clients c(s, p, log);
  switch (validate_credentials(c.sts, entry, /*unreachable_is_error=*/true)) {
    case validation::valid:
      break;
    case validation::rejected:
      return exit_code::credentials_rejected;
    case validation::unreachable:
      return exit_code::failed;
  }

  const core::sys_time now = p.clock->now();
  const cloudwatch::heartbeat_source source{
      s.hostname, CWP_VERSION, "once", cloudwatch::new_boot_id(), now, s.emf};
  const auto event = cloudwatch::make_heartbeat_event(source, {1, now});
  auto stream = s.log_stream.render(now, {s.hostname, s.instance_id});
  if (!stream) {
    log.error("CWP_LOG_STREAM: " + stream.error().message);
    return exit_code::usage;
  }

  cloudwatch::publisher pub(c.logs, log, {s.log_group, s.retention_days});
  log.info("Publishing heartbeat to " + s.log_group + "/" + *stream);
  auto put = pub.publish(*stream, std::span(&event, 1), /*emf=*/s.emf.has_value());
  if (!put) {
    log.error("Failed to publish log to CloudWatch Logs: " + put.error().message,
              {logging::kv("log_group", s.log_group), logging::kv("log_stream", *stream),
               logging::kv("error_code", put.error().remote_code)});
    return exit_code::failed;
  }
  if (put->rejected() > 0) {
    log.error("CloudWatch Logs rejected the heartbeat (too old: " +
                  std::to_string(put->too_old + put->expired) +
                  ", too new: " + std::to_string(put->too_new) + "); check the host clock",
              {logging::kv("log_group", s.log_group), logging::kv("log_stream", *stream)});
    return exit_code::failed;
  }
  log.info("Successfully published log to CloudWatch Logs",
           {logging::kv("log_group", s.log_group), logging::kv("log_stream", *stream)});
  return exit_code::ok;
}

exit_code run_daemon(const config::settings& given, platform& p, waiter& signals) {
  config::settings s = given;  // gets the resolved {instance_id}; outlives the heartbeat service
  const logging::logger entry(*p.sink, *p.clock, entrypoint_service, s.log_level);
  const logging::logger log = entry.with_service(publisher_service);

  if (auto failed = validate_environment(s, *p.credentials, entry)) return *failed;
  if (auto failed = fill_instance_id(s, s.log_stream, "CWP_LOG_STREAM", p, entry)) return *failed;
  // Before the credentials check, which may wait on the network: from now on `health` judges
  // this process, not a file a previous one left.
  health_state initial_health;
  initial_health.pid = static_cast<long long>(::getpid());
  initial_health.schedule = s.schedule.text();
  initial_health.splay_max = s.splay.max();
  initial_health.started = p.clock->now();
  health_recorder health(s.health_file, initial_health, log);
  health.start();

  clients c(s, p, log);
  // AWS being unreachable is not a credential failure: start, keep heartbeats, validate later.
  const auto validated = validate_credentials(c.sts, entry, /*unreachable_is_error=*/false);
  if (validated == validation::rejected) return exit_code::credentials_rejected;

  cloudwatch::publisher pub(c.logs, log, {s.log_group, s.retention_days});
  const auto journal = open_spool(s, log);
  cloudwatch::shipper shipper(pub, log, *p.clock, s.spool_limits, journal.get());
  if (shipper.restored() > 0) {
    log.info("Restored " + std::to_string(shipper.restored()) +
                 " undelivered events from the spool; delivering them first",
             {logging::kv("spool_dir", s.spool_dir)});
  }
  const core::sys_time started = p.clock->now();
  heartbeat_service heartbeats(
      heartbeat_service::parts{
          &s, &c.sts, &shipper, &entry, &log, p.clock,
          cloudwatch::heartbeat_source{s.hostname, CWP_VERSION, s.schedule.text(),
                                       cloudwatch::new_boot_id(), started, s.emf},
          &health},
      validated == validation::valid);
  thread_runner deliveries([&heartbeats] { heartbeats.deliver(); });

  const auto seed = static_cast<std::uint64_t>(p.uniform01() * 18446744073709551615.0);
  schedule::scheduler scheduler(s.schedule, s.splay, seed);
  log.info("Scheduler started",
           {logging::kv("schedule", s.schedule.text()), logging::kv("log_group", s.log_group),
            logging::kv("log_stream", s.log_stream.text())});

  const loop_parts parts{&scheduler, p.clock, &signals, &deliveries, &heartbeats, &log, [&p] {
                           p.credentials->invalidate();
                         }};
  const exit_code code = run_loop(parts);

  // One last delivery attempt for what is still kept, within the grace period.
  const auto deadline = p.clock->monotonic() + shutdown_grace;
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
             (journal ? "; they stay in the spool for the next start" : "; they are lost"));
  }
  if (auto fatal = heartbeats.fatal()) return *fatal;
  return code;
}

}  // namespace cwp::daemon
