#include "commands/stream_names.h"

#include <string>

#include "aws/credentials/imds_client.h"

namespace cwp::commands {
namespace {

const cloudwatch::stream_template& pattern_of(const config::settings& s, config::setting which) {
  return which == config::setting::send_stream ? s.send_stream : s.log_stream;
}

// Whether the names of `which` need EC2 instance metadata.
bool asks_metadata(const config::settings& s, config::setting which) {
  return pattern_of(s, which).uses("instance_id") && !s.instance_id;
}

}  // namespace

core::result<void> check_names(config::setting which, const cloudwatch::stream_names& names) {
  return config::check_stream_names(which, config::info(which).env, names.pattern, names.values);
}

core::result<cloudwatch::stream_names> resolve_stream_names(const config::settings& s,
                                                            config::setting which,
                                                            const daemon::platform& p) {
  const auto& pattern = pattern_of(s, which);
  if (!asks_metadata(s, which)) {
    return cloudwatch::stream_names{pattern, {s.hostname, s.instance_id.value_or("")}};
  }
  const std::string unknown =
      std::string(config::info(which).env) + " uses {instance_id} but no instance id is known: " +
      std::string(config::info(config::setting::instance_id).env) + " is not set and ";
  auto id = aws::imds_instance_id(*p.transport, *p.clock, p.env);
  if (!id) return core::fail(core::errc::invalid_argument, unknown + id.error().message);
  if (auto valid = cloudwatch::validate_log_stream(*id); !valid) {
    return core::fail(core::errc::invalid_argument,
                      unknown + "EC2 instance metadata answered '" + *id +
                          "', which cannot be part of a log stream name");
  }
  return cloudwatch::stream_names{pattern, {s.hostname, std::move(*id)}};
}

std::optional<cloudwatch::stream_names> stream_names_or_log(const config::settings& s,
                                                            config::setting which,
                                                            const daemon::platform& p,
                                                            const logging::logger& log) {
  auto names = resolve_stream_names(s, which, p);
  if (!names) {
    log.error(names.error().message + "; " + std::string(instance_id_hint));
    return std::nullopt;
  }
  if (asks_metadata(s, which)) {
    log.info("Resolved {instance_id} from EC2 instance metadata",
             {logging::kv("instance_id", names->values.instance_id),
              logging::kv("stream_template", names->pattern.text())});
  }
  if (auto valid = check_names(which, *names); !valid) {
    log.error(valid.error().message);
    return std::nullopt;
  }
  return std::move(*names);
}

}  // namespace cwp::commands
