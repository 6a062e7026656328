#include "commands/dashboard.h"

#include <algorithm>
#include <ostream>

#include "commands/monitoring_input.h"
#include "monitoring/dashboard.h"
#include "monitoring/dashboard_output.h"

namespace cwp::commands {
namespace {

// AWS account ids are 12 digits.
bool valid_account_id(std::string_view id) {
  return id.size() == 12 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

daemon::exit_code run_dashboard(const config::settings& s, const dashboard_request& request,
                                std::ostream& out, const logging::logger& log) {
  const auto name = request.name.value_or(monitoring::default_dashboard_name(s.hostname));
  if (const auto problem = monitoring::dashboard_name_problem(name); !problem.empty()) {
    log.error("dashboard: --name: '" + name + "': " + problem);
    return daemon::exit_code::usage;
  }
  if (request.account_id && !valid_account_id(*request.account_id)) {
    log.error("dashboard: --account-id: '" + *request.account_id +
              "' is not an AWS account id (12 digits)");
    return daemon::exit_code::usage;
  }
  const auto grace = parse_grace(request.grace);
  if (!grace) {
    log.error("dashboard: " + grace.error().message);
    return daemon::exit_code::usage;
  }
  const auto deployment = read_deployment(s, log);
  if (!deployment) {
    log.error("dashboard: " + deployment.error().message);
    return daemon::exit_code::usage;
  }
  const auto plan = monitoring::plan_alarms(*deployment, {*grace});
  for (const auto& warning : plan.warnings) log.warn(warning);
  const monitoring::dashboard_output_options options{name, request.account_id};
  const auto text = request.format == "cli" ? render_dashboard_command(*deployment, plan, options)
                    : request.format == "cloudformation"
                        ? render_dashboard_template(*deployment, plan, options)
                        : render_dashboard_json(*deployment, plan, options);
  if (!text) {
    log.error("dashboard: " + text.error().message);
    return daemon::exit_code::usage;
  }
  out << *text;
  out.flush();
  return daemon::exit_code::ok;
}

}  // namespace cwp::commands
