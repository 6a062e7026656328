#pragma once
// `dashboard`: prints the CloudWatch dashboard of this publisher and its crontab (see
// monitoring/dashboard.h): its body, the put-dashboard command, or a CloudFormation template.

#include <iosfwd>
#include <optional>
#include <string>

#include "config/settings.h"
#include "daemon/exit_code.h"
#include "logging/logger.h"

namespace cwp::commands {

struct dashboard_request {
  std::string format{"json"};       // "json", "cli" or "cloudformation" (CLI11 checks the value)
  std::optional<std::string> name;  // unset: monitoring::default_dashboard_name
  std::optional<std::string> account_id;  // for the alarm widget's ARNs
  std::string grace{"5m"};                // as given to `alarm`: which alarms exist
};

// Writes the dashboard to `out`; warnings and errors are log lines on `log`. ok, or usage.
daemon::exit_code run_dashboard(const config::settings& s, const dashboard_request& request,
                                std::ostream& out, const logging::logger& log);

}  // namespace cwp::commands
