#pragma once
// The dead-man's-switch alarms of one publisher: one on its Heartbeat metric and one on each
// job's JobSuccess metric, each "Sum < 1 in every period, missing data breaching", over a
// window derived from the schedule (alarm_window.h). Metric names and dimensions come from the
// EMF catalogue (cloudwatch/emf.h); alarm names from the functions below, which the dashboard
// uses too. Pure: the alarm and dashboard commands render what plan_alarms returns.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloudwatch/emf.h"
#include "monitoring/alarm_window.h"
#include "schedule/cron_expression.h"

namespace cwp::monitoring {

// A job as the alarm sees it (from jobs::job_spec).
struct watched_job {
  std::string name;
  schedule::cron_expression schedule;
  std::optional<std::chrono::milliseconds> timeout;
};

// What the generators read of a publisher's settings and crontab.
struct deployment {
  std::string region;
  std::string log_group;
  cloudwatch::emf_settings emf;
  schedule::cron_expression heartbeat_schedule;
  std::chrono::milliseconds heartbeat_splay{0};  // the splay's maximum delay
  std::vector<watched_job> jobs;                 // in crontab order
};

// Besides the schedule's gaps, how late a data point may be and still be healthy: delivery
// (batching, retries), EMF extraction and the alarm's own evaluation delay, and for a job
// without a timeout, its run time. Five minutes absorbs the first three comfortably.
inline constexpr std::chrono::seconds default_grace{300};
inline constexpr std::chrono::seconds max_grace{86400};

struct alarm_options {
  std::chrono::seconds grace{default_grace};
};

// One metric alarm in PutMetricAlarm's terms. Statistic Sum, Threshold 1, LessThanThreshold,
// TreatMissingData breaching and DatapointsToAlarm = EvaluationPeriods for all of them.
struct alarm_spec {
  std::string name;         // unique per publisher; see heartbeat_alarm_name, job_alarm_name
  std::string logical_id;   // its CloudFormation resource name: letters and digits
  std::string description;  // what it means and how the window was derived
  std::string job;          // empty for the heartbeat alarm
  std::string metric_namespace;
  std::string metric_name;
  std::vector<cloudwatch::emf_dimension> dimensions;
  alarm_window window;
};

struct alarm_plan {
  std::vector<alarm_spec> alarms;     // the heartbeat's first, then the jobs' in crontab order
  std::vector<std::string> warnings;  // each schedule no metric alarm can watch, and why
};

alarm_plan plan_alarms(const deployment& d, const alarm_options& options);

// "cloudwatch-publisher heartbeat missing (LogGroup=/monorepo-fem/heartbeat, Host=node-7)" and
// "cloudwatch-publisher job backup not succeeding (LogGroup=..., Host=node-7)": the configured
// dimensions tell the publishers of one account apart. CloudWatch: at most 255 characters; a
// longer name is cut and ends in a hash of the whole, so it stays unique.
inline constexpr std::size_t max_alarm_name_length = 255;
std::string heartbeat_alarm_name(const cloudwatch::emf_settings& emf);
std::string job_alarm_name(const cloudwatch::emf_settings& emf, std::string_view job);

// "aws", "aws-cn", "aws-us-gov": the ARN partition of a region.
std::string_view partition_of(std::string_view region);

}  // namespace cwp::monitoring
