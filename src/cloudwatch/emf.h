#pragma once
// Embedded Metric Format for heartbeats: with a namespace configured, every heartbeat event also
// declares a `Heartbeat` metric (value 1, unit Count) with the configured dimensions, so
// CloudWatch extracts a metric an alarm can watch with missing data treated as breaching (the
// dead-man's switch). The batch must carry the header x-amzn-logs-format: json/emf.

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace cwp::cloudwatch {

// EMF: a metric directive's Namespace is 1-255 characters (spec); CloudWatch namespaces are
// letters, digits and . - _ / # : and space, and "AWS/" is reserved for AWS's own.
inline constexpr std::size_t max_emf_namespace_length = 255;
// EMF: a dimension set holds at most 30 dimension names.
inline constexpr std::size_t max_emf_dimensions = 30;
// CloudWatch: dimension names are 1-255 characters, values 1-1024.
inline constexpr std::size_t max_dimension_name_length = 255;
inline constexpr std::size_t max_dimension_value_length = 1024;

inline constexpr std::string_view heartbeat_metric_name = "Heartbeat";

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
// `Name=value` is a fixed dimension (e.g. `Cluster=prod`). At least one, at most 30, unique
// names, none that collides with a heartbeat field.
core::result<std::vector<emf_dimension>> parse_emf_dimensions(std::string_view text,
                                                              const emf_builtin_values& values);

// Adds the dimension values, `Heartbeat: 1` and the `_aws` metadata (Timestamp in ms) to a
// heartbeat document.
void add_heartbeat_metric(nlohmann::ordered_json& document, const emf_settings& emf,
                          std::int64_t timestamp_ms);

}  // namespace cwp::cloudwatch
