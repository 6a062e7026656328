#pragma once
// Where {instance_id} in a stream name template comes from, in order: CWP_INSTANCE_ID
// (--instance-id), then EC2 instance metadata (IMDSv2: PUT /latest/api/token, GET
// /latest/meta-data/instance-id), asked once at start and only when the template uses
// {instance_id}. When neither gives an id the command fails with a configuration error (exit 2)
// that says how to fix it: a stream name is never rendered with an empty id.

#include <optional>
#include <string_view>

#include "cloudwatch/names.h"
#include "config/settings.h"
#include "core/error.h"
#include "daemon/exit_code.h"
#include "daemon/platform.h"
#include "logging/logger.h"

namespace cwp::commands {

using daemon::exit_code;
using daemon::platform;

// What to do when no instance id is known (the hint of the error and of `check`).
inline constexpr std::string_view instance_id_hint =
    "set CWP_INSTANCE_ID (--instance-id); or, in a container on EC2, let it reach the instance "
    "metadata (IMDSv2 hop limit 2: aws ec2 modify-instance-metadata-options --instance-id <id> "
    "--http-put-response-hop-limit 2) and do not set AWS_EC2_METADATA_DISABLED; or use "
    "{hostname} instead of {instance_id}";

// When `stream` uses {instance_id} and s.instance_id is empty (CWP_INSTANCE_ID not set), asks
// EC2 instance metadata through p's transport and clock (AWS_EC2_METADATA_DISABLED,
// AWS_EC2_METADATA_SERVICE_ENDPOINT(_MODE), AWS_METADATA_SERVICE_TIMEOUT and _NUM_ATTEMPTS
// apply) and stores the answer in s.instance_id. Returns whether instance metadata was asked.
// Fails with errc::invalid_argument and a message that starts with `setting` (the variable of
// the template, e.g. CWP_LOG_STREAM) and says why no id is known; instance_id_hint says what to
// do about it.
core::result<bool> resolve_instance_id(config::settings& s,
                                       const cloudwatch::stream_template& stream,
                                       std::string_view setting, platform& p);

// resolve_instance_id with its log lines: INFO "Resolved {instance_id} ..." when instance
// metadata answered, or ERROR (message and hint) and exit_code::usage when no id is known.
std::optional<exit_code> fill_instance_id(config::settings& s,
                                          const cloudwatch::stream_template& stream,
                                          std::string_view setting, platform& p,
                                          const logging::logger& log);

}  // namespace cwp::commands
