#pragma once
// `alarm`: prints the alarms on missing heartbeats and on every crontab job that stops
// succeeding (see monitoring/alarms.h), as AWS CLI commands or a CloudFormation template.

#include <iosfwd>
#include <optional>
#include <string>

#include "config/settings.h"
#include "daemon/exit_code.h"
#include "logging/logger.h"

namespace cwp::commands {

struct alarm_request {
  std::string format{"cli"};  // "cli" or "cloudformation" (CLI11 checks the value)
  std::optional<std::string> topic_arn;
  std::string grace{"5m"};
};

// Writes the alarms to `out`; warnings (schedules no alarm can watch, crontab warnings) and
// errors are log lines on `log`. ok, or usage for bad input (EMF off, a crontab error, a bad
// option, nothing that can be watched).
daemon::exit_code run_alarm(const config::settings& s, const alarm_request& request,
                            std::ostream& out, const logging::logger& log);

}  // namespace cwp::commands
