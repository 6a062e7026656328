#pragma once
// Embedded Metric Format, and the catalogue of every metric we emit. With a namespace
// configured, every heartbeat event also declares a `Heartbeat` metric (value 1, unit Count)
// with the configured dimensions, so CloudWatch extracts a metric an alarm can watch with
// missing data treated as breaching (the dead-man's switch); every job result declares
// `JobSuccess`, `JobFailure` and `JobDuration` with the same dimensions plus `Job`. The batch
// must carry the header x-amzn-logs-format: json/emf.
//
// This file is the one place that names metrics, units and dimension sets: the writers below
// build documents from heartbeat_directive() and job_directive(), and the alarm and dashboard
// generators (src/monitoring) read the same two functions, so they cannot drift apart.

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace cwp::cloudwatch {

// EMF: a metric directive's Namespace is 1-255 characters (spec); CloudWatch namespaces are
// letters, digits and . - _ / # : and space, and "AWS/" is reserved for AWS's own.
inline constexpr std::size_t max_emf_namespace_length = 255;
// EMF: a dimension set holds at most 30 dimension names. Job metrics add `Job` to the
// configured ones, so at most 29 can be configured.
inline constexpr std::size_t max_emf_dimensions = 30;
inline constexpr std::size_t max_configured_emf_dimensions = max_emf_dimensions - 1;
// CloudWatch: dimension names are 1-255 characters, values 1-1024.
inline constexpr std::size_t max_dimension_name_length = 255;
inline constexpr std::size_t max_dimension_value_length = 1024;

// One metric as CloudWatch stores it. `unit` is a CloudWatch standard unit.
struct metric_spec {
  std::string_view name;
  std::string_view unit;
};

// 1 per heartbeat.
inline constexpr metric_spec heartbeat_metric{"Heartbeat", "Count"};
// 1 per run that succeeded, else 0.
inline constexpr metric_spec job_success_metric{"JobSuccess", "Count"};
// 1 per run that failed or timed out, else 0.
inline constexpr metric_spec job_failure_metric{"JobFailure", "Count"};
// Wall time of a run that started, start to end.
inline constexpr metric_spec job_duration_metric{"JobDuration", "Milliseconds"};
inline constexpr std::string_view heartbeat_metric_name = heartbeat_metric.name;
// The dimension job metrics add to the configured ones; its value is the job's name.
inline constexpr std::string_view job_dimension_name = "Job";

struct emf_dimension {
  std::string name;
  std::string value;
};

struct emf_settings {
  std::string metric_namespace;
  std::vector<emf_dimension> dimensions;
};

// Values the built-in dimension names stand for.
struct emf_builtin_values {
  std::string log_group;
  std::string host;
};

core::result<std::string> validate_emf_namespace(std::string_view text);

// A comma-separated list of dimensions: `LogGroup` and `Host` take the log group and host name;
// `Name=value` is a fixed dimension (e.g. `Cluster=prod`). At least one, at most 29, unique
// names, none that collides with a field of a heartbeat or job result document (or `Job`).
core::result<std::vector<emf_dimension>> parse_emf_dimensions(std::string_view text,
                                                              const emf_builtin_values& values);

// What one kind of document declares: a namespace, ONE dimension set (names in order, with the
// values this publisher writes) and the metrics. Every dimension set is a separately billed
// metric, so each document declares exactly one: the configured dimensions (plus `Job`).
struct metric_directive {
  std::string metric_namespace;
  std::vector<emf_dimension> dimensions;
  std::vector<metric_spec> metrics;
};

// Heartbeat documents: Heartbeat under the configured dimensions.
metric_directive heartbeat_directive(const emf_settings& emf);
// Job result documents of `job_name`: JobSuccess, JobFailure and JobDuration under the
// configured dimensions followed by Job=<job_name>. (A run that never started, a skipped one,
// leaves JobDuration out of its document; see add_job_metrics.)
metric_directive job_directive(const emf_settings& emf, std::string_view job_name);

// Adds the dimension values, `Heartbeat: 1` and the `_aws` metadata (Timestamp in ms) to a
// heartbeat document.
void add_heartbeat_metric(nlohmann::ordered_json& document, const emf_settings& emf,
                          std::int64_t timestamp_ms);

// The metric values of one job result. What counts as success or failure is the caller's rule
// (jobs/run_result.h).
struct job_metric_values {
  bool success{false};
  bool failure{false};
  std::optional<std::chrono::milliseconds> duration;  // unset: the run never started
};

// Adds the dimension values (with Job), JobSuccess, JobFailure, JobDuration (when set) and the
// `_aws` metadata (Timestamp in ms) to a job result document.
void add_job_metrics(nlohmann::ordered_json& document, const emf_settings& emf,
                     std::string_view job_name, const job_metric_values& values,
                     std::int64_t timestamp_ms);

// True when `message` is a JSON object with EMF metadata (`_aws` holding `CloudWatchMetrics`):
// what the shipper sends with the EMF header after taking it over from the journal.
bool is_emf_document(std::string_view message);

}  // namespace cwp::cloudwatch
