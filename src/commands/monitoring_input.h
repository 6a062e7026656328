#pragma once
// What `alarm` and `dashboard` read: the settings and the crontab as a monitoring::deployment,
// and the options they share.

#include <chrono>
#include <string>

#include "config/settings.h"
#include "core/error.h"
#include "logging/logger.h"
#include "monitoring/alarms.h"

namespace cwp::commands {

// The publisher's region, log group, EMF settings, heartbeat schedule and splay, and the jobs
// of s.crontab (read now; its warnings are logged at WARN on `log`). Errors are
// errc::invalid_argument: EMF is off (there would be no metric to watch), or the crontab cannot
// be read or parsed.
core::result<monitoring::deployment> read_deployment(const config::settings& s,
                                                     const logging::logger& log);

// --grace: a duration from 0 to 24h ("5m", "90s").
core::result<std::chrono::seconds> parse_grace(std::string_view text);

}  // namespace cwp::commands
