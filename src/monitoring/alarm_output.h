#pragma once
// The alarm plan as something to apply: AWS CLI commands, or a CloudFormation template.

#include <optional>
#include <string>

#include "monitoring/alarms.h"

namespace cwp::monitoring {

struct alarm_output_options {
  std::string region;  // where the metrics are: the alarms must be in the same region
  std::optional<std::string> topic_arn;  // SNS topic for ALARM and OK; unset: no actions
};

// One `aws cloudwatch put-metric-alarm` command per alarm, shell-quoted and continued over
// lines with `\`, after a comment header and one `# no alarm ...` line per warning: a file to
// run with sh or to paste into a shell. PutMetricAlarm creates or updates, so it can be run
// again after a change.
std::string render_alarm_commands(const alarm_plan& plan, const alarm_output_options& options);

// A CloudFormation template (JSON) with one AWS::CloudWatch::Alarm per alarm and a parameter
// AlarmTopicArn (default: options.topic_arn, else empty for no actions).
std::string render_alarm_template(const alarm_plan& plan, const alarm_output_options& options);

}  // namespace cwp::monitoring
