#include "cloudwatch/emf.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

namespace cwp::cloudwatch {
namespace {

// Members a heartbeat or job result document already has (jobs/run_result.h writes the
// latter; its tests check this list covers them): a dimension of the same name would overwrite
// one. `Job` is the dimension job metrics add.
constexpr std::array<std::string_view, 30> reserved_members = {
    "_aws",     "Heartbeat",    "JobSuccess",   "JobFailure",       "JobDuration",
    "Job",      "event",        "status",       "service",          "host",
    "version",  "sequence",     "id",           "timestamp",        "uptime_s",
    "schedule", "job",          "run_id",       "outcome",          "scheduled",
    "start",    "end",          "duration_ms",  "exit_code",        "signal",
    "reason",   "output_lines", "output_bytes", "output_truncated", "output_tail"};

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

core::result<std::string> validate_dimension_name(std::string_view name) {
  if (name.empty()) return core::fail(core::errc::invalid_argument, "a dimension name is empty");
  const std::string quoted = "'" + std::string(name) + "'";
  if (name.size() > max_dimension_name_length) {
    return core::fail(core::errc::invalid_argument,
                      "dimension name " + quoted + " is longer than 255 characters");
  }
  if (!printable_ascii(name) || name.front() == ':') {
    return core::fail(
        core::errc::invalid_argument,
        "dimension name " + quoted + " must be printable ASCII and must not start with ':'");
  }
  if (std::find(reserved_members.begin(), reserved_members.end(), name) != reserved_members.end()) {
    return core::fail(
        core::errc::invalid_argument,
        "dimension name " + quoted + " is a field of the heartbeat or job result document itself");
  }
  return std::string(name);
}

core::result<std::string> validate_dimension_value(std::string_view name, std::string_view value) {
  if (value.empty()) {
    return core::fail(core::errc::invalid_argument,
                      "dimension '" + std::string(name) + "' has an empty value");
  }
  if (value.size() > max_dimension_value_length) {
    return core::fail(core::errc::invalid_argument, "the value of dimension '" + std::string(name) +
                                                        "' is longer than 1024 characters");
  }
  return std::string(value);
}

// EMF: dimension values are root members of the document, named as the dimensions.
void add_dimension_values(nlohmann::ordered_json& document, const metric_directive& directive) {
  for (const auto& d : directive.dimensions) document[d.name] = d.value;
}

// The `_aws` metadata declaring `directive`; the metric values must be root members already.
void add_metadata(nlohmann::ordered_json& document, const metric_directive& directive,
                  std::int64_t timestamp_ms) {
  auto names = nlohmann::ordered_json::array();
  for (const auto& d : directive.dimensions) names.push_back(d.name);
  auto metrics = nlohmann::ordered_json::array();
  for (const auto& m : directive.metrics) {
    metrics.push_back({{"Name", m.name}, {"Unit", m.unit}});
  }
  document["_aws"] = {
      {"Timestamp", timestamp_ms},
      {"CloudWatchMetrics",
       nlohmann::ordered_json::array({{{"Namespace", directive.metric_namespace},
                                       {"Dimensions", nlohmann::ordered_json::array({names})},
                                       {"Metrics", metrics}}})}};
}

}  // namespace

core::result<std::string> validate_emf_namespace(std::string_view text) {
  if (text.empty() || text.size() > max_emf_namespace_length) {
    return core::fail(core::errc::invalid_argument, "a namespace is 1-255 characters");
  }
  const bool valid_chars = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view(".-_/#: ").find(c) != std::string_view::npos;
  });
  if (!valid_chars) {
    return core::fail(core::errc::invalid_argument,
                      "'" + std::string(text) +
                          "' has a character CloudWatch does not allow in a namespace (use "
                          "letters, digits, space and . - _ / # :)");
  }
  if (text.starts_with("AWS/")) {
    return core::fail(core::errc::invalid_argument,
                      "namespaces starting with AWS/ are reserved for AWS services");
  }
  return std::string(text);
}

core::result<std::vector<emf_dimension>> parse_emf_dimensions(std::string_view text,
                                                              const emf_builtin_values& values) {
  std::vector<emf_dimension> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto item = trim(text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    start = comma == std::string_view::npos ? text.size() + 1 : comma + 1;

    std::string_view name = item;
    std::string_view value;
    const auto eq = item.find('=');
    if (eq != std::string_view::npos) {
      name = trim(item.substr(0, eq));
      value = trim(item.substr(eq + 1));
    } else if (item == "LogGroup") {
      value = values.log_group;
    } else if (item == "Host") {
      value = values.host;
    } else if (!item.empty()) {
      return core::fail(core::errc::invalid_argument,
                        "unknown dimension '" + std::string(item) +
                            "' (use LogGroup, Host, or Name=value for a fixed value)");
    }
    auto valid_name = validate_dimension_name(name);
    if (!valid_name) return tl::unexpected(valid_name.error());
    auto valid_value = validate_dimension_value(name, value);
    if (!valid_value) return tl::unexpected(valid_value.error());
    if (std::any_of(out.begin(), out.end(), [&](const auto& d) { return d.name == name; })) {
      return core::fail(core::errc::invalid_argument,
                        "dimension '" + std::string(name) + "' is given twice");
    }
    out.push_back({std::move(*valid_name), std::move(*valid_value)});
  }
  if (out.size() > max_configured_emf_dimensions) {
    return core::fail(core::errc::invalid_argument,
                      std::to_string(out.size()) +
                          " dimensions given; at most 29 (EMF allows 30 in a metric, and job "
                          "metrics add Job)");
  }
  return out;
}

metric_directive heartbeat_directive(const emf_settings& emf) {
  return {emf.metric_namespace, emf.dimensions, {heartbeat_metric}};
}

metric_directive job_directive(const emf_settings& emf, std::string_view job_name) {
  auto dimensions = emf.dimensions;
  dimensions.push_back({std::string(job_dimension_name), std::string(job_name)});
  return {emf.metric_namespace,
          std::move(dimensions),
          {job_success_metric, job_failure_metric, job_duration_metric}};
}

void add_heartbeat_metric(nlohmann::ordered_json& document, const emf_settings& emf,
                          std::int64_t timestamp_ms) {
  const auto directive = heartbeat_directive(emf);
  add_dimension_values(document, directive);
  document[heartbeat_metric.name] = 1;
  add_metadata(document, directive, timestamp_ms);
}

void add_job_metrics(nlohmann::ordered_json& document, const emf_settings& emf,
                     std::string_view job_name, const job_metric_values& values,
                     std::int64_t timestamp_ms) {
  auto directive = job_directive(emf, job_name);
  add_dimension_values(document, directive);
  document[job_success_metric.name] = values.success ? 1 : 0;
  document[job_failure_metric.name] = values.failure ? 1 : 0;
  if (values.duration) {
    document[job_duration_metric.name] = values.duration->count();
  } else {
    // EMF: a declared metric needs a value member; a run that never started has no duration.
    std::erase_if(directive.metrics,
                  [](const metric_spec& m) { return m.name == job_duration_metric.name; });
  }
  add_metadata(document, directive, timestamp_ms);
}

bool is_emf_document(std::string_view message) {
  if (message.empty() || message.front() != '{' ||
      message.find("\"_aws\"") == std::string_view::npos) {
    return false;
  }
  const auto j = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  const auto aws = j.find("_aws");
  return aws != j.end() && aws->is_object() && aws->contains("CloudWatchMetrics");
}

}  // namespace cwp::cloudwatch
