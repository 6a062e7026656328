#include "commands/stream_names.h"

#include <string>

#include "aws/credentials/imds_client.h"

namespace cwp::commands {

core::result<bool> resolve_instance_id(config::settings& s,
                                       const cloudwatch::stream_template& stream,
                                       std::string_view setting, platform& p) {
  if (!stream.uses("instance_id") || !s.instance_id.empty()) return false;
  const std::string unknown =
      std::string(setting) + " uses {instance_id} but no instance id is known: " +
      std::string(config::info(config::setting::instance_id).env) + " is not set and ";
  auto id = aws::imds_instance_id(*p.transport, *p.clock, p.env);
  if (!id) return core::fail(core::errc::invalid_argument, unknown + id.error().message);
  if (auto valid = cloudwatch::validate_log_stream(*id); !valid) {
    return core::fail(core::errc::invalid_argument,
                      unknown + "EC2 instance metadata answered '" + *id +
                          "', which cannot be part of a log stream name");
  }
  s.instance_id = std::move(*id);
  return true;
}

std::optional<exit_code> fill_instance_id(config::settings& s,
                                          const cloudwatch::stream_template& stream,
                                          std::string_view setting, platform& p,
                                          const logging::logger& log) {
  auto asked = resolve_instance_id(s, stream, setting, p);
  if (!asked) {
    log.error(asked.error().message + "; " + std::string(instance_id_hint));
    return exit_code::usage;
  }
  if (*asked) {
    log.info(
        "Resolved {instance_id} from EC2 instance metadata",
        {logging::kv("instance_id", s.instance_id), logging::kv("stream_template", stream.text())});
  }
  return std::nullopt;
}

}  // namespace cwp::commands
