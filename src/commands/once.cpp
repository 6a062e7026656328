#include "commands/once.h"

#include <span>

#include "cloudwatch/heartbeat.h"
#include "commands/startup.h"
#include "commands/stream_names.h"
#include "daemon/assembly.h"
#include "daemon/startup.h"

namespace cwp::commands {

using daemon::exit_code;

exit_code run_once(const config::settings& s, daemon::platform& p) {
  const logging::logger entry(*p.sink, *p.clock, daemon::entrypoint_service, s.log_level);
  const logging::logger log = entry.with_service(daemon::publisher_service);

  if (auto failed = validate_environment(s, *p.credentials, entry)) return *failed;
  const auto names = stream_names_or_log(s, config::setting::log_stream, p, entry);
  if (!names) return exit_code::usage;
  const daemon::aws_clients aws(aws_settings_of(s), p, &log);
  // A diagnostic, not a gate: whether the heartbeat is delivered is CloudWatch Logs' answer.
  if (daemon::validate_credentials(aws.sts, entry, "; publishing the heartbeat without it") ==
      daemon::validation::rejected) {
    return exit_code::credentials_rejected;
  }

  const core::sys_time now = p.clock->now();
  const cloudwatch::heartbeat_source source{
      s.hostname, CWP_VERSION, "once", cloudwatch::new_boot_id(), now, s.emf};
  const auto event = cloudwatch::make_heartbeat_event(source, {1, now});
  auto stream = names->render(now);
  if (!stream) {
    log.error("CWP_LOG_STREAM: " + stream.error().message);
    return exit_code::usage;
  }

  daemon::publishing out({.target = publisher_options_of(s, /*with_retention=*/true),
                          .limits = s.spool_limits,
                          .journal_dir = {}},
                         aws, p, log);
  log.info("Publishing heartbeat to " + s.log_group + "/" + *stream);
  auto put = out.publisher.publish(*stream, std::span(&event, 1), /*emf=*/s.emf.has_value());
  const logging::field group = logging::kv("log_group", s.log_group);
  if (!put) {
    log.error("Failed to publish log to CloudWatch Logs: " + put.error().message,
              {group, logging::kv("log_stream", *stream),
               logging::kv("error_code", put.error().remote_code)});
    return exit_code::failed;
  }
  if (put->rejected() > 0) {
    log.error("CloudWatch Logs rejected the heartbeat (too old: " +
                  std::to_string(put->too_old + put->expired) +
                  ", too new: " + std::to_string(put->too_new) + "); check the host clock",
              {group, logging::kv("log_stream", *stream)});
    return exit_code::failed;
  }
  log.info("Successfully published log to CloudWatch Logs",
           {group, logging::kv("log_stream", *stream)});
  return exit_code::ok;
}

}  // namespace cwp::commands
