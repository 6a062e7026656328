#pragma once
// The start-up steps the commands share: the replaced image's entrypoint check of the
// environment, and the few values of the configuration the assembly (daemon/assembly.h) takes.
// With stream_names.h (the {instance_id} phase) this is the start-up sequence of every command:
// validate the environment, resolve the stream names, build the object graph.

#include <optional>

#include "aws/credentials.h"
#include "config/settings.h"
#include "daemon/assembly.h"
#include "daemon/exit_code.h"
#include "logging/logger.h"

namespace cwp::commands {

// Logs the start line and checks that credentials can be obtained. On failure logs an ERROR
// naming what is missing and returns the exit code to use.
std::optional<daemon::exit_code> validate_environment(const config::settings& s,
                                                      aws::credentials_provider& credentials,
                                                      const logging::logger& log);

// Endpoints and retry policy of the AWS clients.
daemon::aws_settings aws_settings_of(const config::settings& s);

// Where a command publishes, and what a group it creates gets: class, KMS key, tags, and the
// retention when `with_retention` (`send` writes to groups it is given and sets none).
cloudwatch::publisher_options publisher_options_of(const config::settings& s, bool with_retention);

}  // namespace cwp::commands
