#include "commands/alarm.h"

#include <ostream>

#include "commands/monitoring_input.h"
#include "monitoring/alarm_output.h"

namespace cwp::commands {
namespace {

bool looks_like_topic_arn(std::string_view arn) {
  return arn.starts_with("arn:") && arn.find(":sns:") != std::string_view::npos;
}

}  // namespace

daemon::exit_code run_alarm(const config::settings& s, const alarm_request& request,
                            std::ostream& out, const logging::logger& log) {
  if (request.topic_arn && !looks_like_topic_arn(*request.topic_arn)) {
    log.error("alarm: --sns-topic-arn: '" + *request.topic_arn +
              "' is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC)");
    return daemon::exit_code::usage;
  }
  const auto grace = parse_grace(request.grace);
  if (!grace) {
    log.error("alarm: " + grace.error().message);
    return daemon::exit_code::usage;
  }
  const auto deployment = read_deployment(s, log);
  if (!deployment) {
    log.error("alarm: " + deployment.error().message);
    return daemon::exit_code::usage;
  }
  const auto plan = monitoring::plan_alarms(*deployment, {*grace});
  for (const auto& warning : plan.warnings) log.warn(warning);
  if (plan.alarms.empty()) {
    log.error("alarm: nothing can be watched with these schedules (see the warnings above)");
    return daemon::exit_code::usage;
  }
  const monitoring::alarm_output_options options{s.region, request.topic_arn};
  out << (request.format == "cloudformation" ? monitoring::render_alarm_template(plan, options)
                                             : monitoring::render_alarm_commands(plan, options));
  out.flush();
  return daemon::exit_code::ok;
}

}  // namespace cwp::commands
