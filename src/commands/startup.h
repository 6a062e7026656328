#pragma once
// The start-up steps the commands share, with the replaced image's entrypoint messages.

#include <optional>

#include "aws/credentials.h"
#include "config/settings.h"
#include "daemon/exit_code.h"
#include "logging/logger.h"

namespace cwp::commands {

// Logs the start line and checks that credentials can be obtained. On failure logs an ERROR
// naming what is missing and returns the exit code to use.
std::optional<daemon::exit_code> validate_environment(const config::settings& s,
                                                      aws::credentials_provider& credentials,
                                                      const logging::logger& log);

}  // namespace cwp::commands
