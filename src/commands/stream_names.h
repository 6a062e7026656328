#pragma once
// The second phase of the configuration: the final names of a stream template. config::resolve()
// knows every placeholder but {instance_id} unless CWP_INSTANCE_ID (--instance-id) is set; when
// the template uses {instance_id} and it is not, EC2 instance metadata is asked (IMDSv2: PUT
// /latest/api/token, GET /latest/meta-data/instance-id), once at start and only then. When
// neither gives an id the command fails with a configuration error (exit 2) that says how to fix
// it: a stream name is never rendered with an empty id. The commands pass the result on;
// nothing patches config::settings.

#include <optional>
#include <string_view>

#include "cloudwatch/names.h"
#include "config/settings.h"
#include "core/error.h"
#include "daemon/platform.h"
#include "logging/logger.h"

namespace cwp::commands {

// What to do when no instance id is known (the hint of the error and of `check`).
inline constexpr std::string_view instance_id_hint =
    "set CWP_INSTANCE_ID (--instance-id); or, in a container on EC2, let it reach the instance "
    "metadata (IMDSv2 hop limit 2: aws ec2 modify-instance-metadata-options --instance-id <id> "
    "--http-put-response-hop-limit 2) and do not set AWS_EC2_METADATA_DISABLED; or use "
    "{hostname} instead of {instance_id}";

// The names of the stream template `which` (setting::log_stream or setting::send_stream) of `s`.
// Instance metadata is asked through p's transport and clock (AWS_EC2_METADATA_DISABLED,
// AWS_EC2_METADATA_SERVICE_ENDPOINT(_MODE), AWS_METADATA_SERVICE_TIMEOUT and _NUM_ATTEMPTS
// apply). Fails with errc::invalid_argument and a message that starts with the template's
// variable (e.g. CWP_LOG_STREAM) and says why no id is known; instance_id_hint says what to do.
core::result<cloudwatch::stream_names> resolve_stream_names(const config::settings& s,
                                                            config::setting which,
                                                            const daemon::platform& p);

// Whether the final names of `which` are valid log stream names whatever the date
// (config::check_stream_names): config::resolve() checked the templates whose values it knew;
// this checks them once {instance_id} is known, before any CloudWatch or STS call.
core::result<void> check_names(config::setting which, const cloudwatch::stream_names& names);

// resolve_stream_names with its log lines: INFO "Resolved {instance_id} ..." when instance
// metadata answered; ERROR (message and hint) when no id is known or the final names are not
// valid (check_names), and nullopt: the command then exits with exit_code::usage.
std::optional<cloudwatch::stream_names> stream_names_or_log(const config::settings& s,
                                                            config::setting which,
                                                            const daemon::platform& p,
                                                            const logging::logger& log);

}  // namespace cwp::commands
