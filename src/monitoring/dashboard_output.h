#pragma once
// The dashboard as something to apply: its body, the `aws cloudwatch put-dashboard` command, or
// a CloudFormation template with one AWS::CloudWatch::Dashboard.

#include <optional>
#include <string>

#include "core/error.h"
#include "monitoring/alarms.h"

namespace cwp::monitoring {

struct dashboard_output_options {
  std::string name;
  // The account of the alarms' ARNs. Required for the body and the command; the template uses
  // the stack's account when it is unset.
  std::optional<std::string> account_id;
};

// The body, indented for reading (put-dashboard takes it as it is).
core::result<std::string> render_dashboard_json(const deployment& d, const alarm_plan& plan,
                                                const dashboard_output_options& options);
core::result<std::string> render_dashboard_command(const deployment& d, const alarm_plan& plan,
                                                   const dashboard_output_options& options);
core::result<std::string> render_dashboard_template(const deployment& d, const alarm_plan& plan,
                                                    const dashboard_output_options& options);

}  // namespace cwp::monitoring
