#pragma once
// The CloudWatch dashboard of one publisher, built from the same catalogue as its metrics
// (cloudwatch/emf.h) and the same alarm plan as `alarm` (alarms.h), so every metric it shows is
// one we emit and every alarm it shows is one `alarm` creates. Widgets, top to bottom:
//   a text header (what this dashboard covers);
//   alarm status (is a heartbeat or a job overdue right now?);
//   Heartbeat per period (is the publisher alive and reaching CloudWatch?);
//   JobFailure of every job (which jobs failed, and when?);
//   one widget per job: JobSuccess, JobFailure and the longest JobDuration (did it run, did it
//   succeed, is it getting slower?);
//   a Logs Insights table of the latest failed runs with their output tail (why did it fail?).

#include <string>
#include <string_view>

#include "core/error.h"
#include "monitoring/alarms.h"

namespace cwp::monitoring {

// CloudWatch dashboards: at most 500 widgets and 2500 metrics per dashboard, 500 metrics per
// widget, 100 alarms per alarm status widget.
inline constexpr std::size_t max_dashboard_widgets = 500;
inline constexpr std::size_t max_dashboard_metrics = 2500;
inline constexpr std::size_t max_widget_metrics = 500;
inline constexpr std::size_t max_alarms_per_widget = 100;

// Dashboard names: 1-255 characters of A-Z a-z 0-9 - _.
inline constexpr std::size_t max_dashboard_name_length = 255;
// Empty when `name` is a valid dashboard name; else what is wrong with it.
std::string dashboard_name_problem(std::string_view name);
// "cloudwatch-publisher-node-7": the default name, from the host name (other characters
// become '-').
std::string default_dashboard_name(std::string_view host);

// The dashboard body (JSON text). Alarm widgets name alarms by ARN:
// <alarm_arn_prefix><alarm name>, the prefix being "arn:aws:cloudwatch:<region>:<account>:alarm:"
// (see alarm_arn_prefix). Fails (errc::invalid_argument) when the crontab has more jobs than one
// dashboard can show.
core::result<std::string> dashboard_body(const deployment& d, const alarm_plan& plan,
                                         std::string_view alarm_arn_prefix);

std::string alarm_arn_prefix(std::string_view region, std::string_view account_id);

// The Logs Insights query of the failed-runs widget, on the result events' fields.
std::string failed_runs_query(std::string_view log_group);

}  // namespace cwp::monitoring
