#pragma once
// `health`: judges the state file `run` writes (see daemon/health.h), for HEALTHCHECK and probes.

#include "config/settings.h"
#include "core/clock.h"
#include "daemon/exit_code.h"
#include "logging/logger.h"

namespace cwp::commands {

// Reads s.health_file, logs one line (INFO healthy, ERROR why not) and returns ok or failed.
daemon::exit_code run_health(const config::settings& s, const core::clock& clock,
                             const logging::logger& log);

}  // namespace cwp::commands
