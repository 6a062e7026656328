#include "commands/once.h"

#include <unistd.h>

#include <algorithm>

#include "aws/clock_skew.h"
#include "aws/service_client.h"
#include "aws/sts_client.h"
#include "cloudwatch/heartbeat.h"
#include "cloudwatch/logs_client.h"
#include "cloudwatch/publisher.h"
#include "cloudwatch/shipper.h"
#include "commands/startup.h"
#include "commands/stream_names.h"
#include "daemon/health.h"
#include "daemon/heartbeat_service.h"
#include "daemon/run_loop.h"
#include "daemon/startup.h"
#include "daemon/worker.h"
#include "spool/journal.h"

namespace cwp::commands {

using namespace daemon;  // NOLINT: moved from daemon/app.cpp; qualified in the next step
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

}  // namespace cwp::commands
