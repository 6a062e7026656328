#pragma once
// One typed, validated configuration, resolved from command-line flags, then the environment,
// then defaults. Every setting has a flag and an environment variable; the table below is the
// single source for resolution, --help and the README's settings table.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/endpoints.h"
#include "aws/retry.h"
#include "cloudwatch/batch.h"
#include "cloudwatch/emf.h"
#include "cloudwatch/log_group_options.h"
#include "cloudwatch/names.h"
#include "cloudwatch/spool_limits.h"
#include "core/env.h"
#include "core/error.h"
#include "logging/logger.h"
#include "schedule/cron_expression.h"
#include "schedule/splay.h"

namespace cwp::config {

enum class setting {
  log_group,
  log_stream,
  region,
  schedule,
  splay,
  log_level,
  hostname,
  spool_dir,
  spool_max_events,
  spool_max_bytes,
  max_event_bytes,
  emf_namespace,
  emf_dimensions,
  retention_days,
  log_group_class,
  kms_key_id,
  log_group_tags,
  create_log_group,
  health_file,
  send_stream,
  instance_id,
  crontab,
  job_stream,
  job_max_output,
  stop_grace,
  send_concurrency,
};

struct setting_info {
  setting id;
  std::string_view flag;           // "--log-group"
  std::string_view env;            // "CWP_LOG_GROUP"
  std::string_view default_value;  // shown in --help
  std::string_view help;
};

const std::vector<setting_info>& known_settings();
const setting_info& info(setting id);

// Values given on the command line (flag name without dashes -> value).
using flag_values = std::map<setting, std::string>;

struct settings {
  std::string region;
  std::string region_source;  // "AWS_REGION", "--region", "default", ...
  aws::endpoint logs_endpoint;
  aws::endpoint sts_endpoint;
  aws::retry_settings retry;
  std::string log_group;
  cloudwatch::stream_template log_stream;
  // False (CWP_SCHEDULE=off): `run` publishes no heartbeats, only the crontab's jobs run; the
  // schedule then keeps its default for the commands that read it.
  bool heartbeats{true};
  // Replaced by resolve(); the initializer only makes settings default-constructible.
  schedule::cron_expression schedule = *schedule::cron_expression::parse("*/1 * * * *");
  schedule::splay splay;
  logging::level log_level{logging::level::info};
  std::string hostname;
  // What {instance_id} renders as when CWP_INSTANCE_ID (--instance-id) is set. Unset: unknown
  // here; a command whose stream template uses {instance_id} asks EC2 instance metadata in a
  // second phase (commands/stream_names.h), which yields the final stream names.
  std::optional<std::string> instance_id;
  std::string spool_dir;  // empty: undelivered events are kept in memory only
  cloudwatch::spool_limits spool_limits;
  // CWP_MAX_EVENT_BYTES: the largest event `send` makes, counted as CloudWatch counts it
  // (message bytes + 26); longer lines are split into events of at most this size.
  std::size_t max_event_bytes{cloudwatch::max_event_bytes};
  // Set (CWP_EMF_NAMESPACE): heartbeats are EMF documents carrying a Heartbeat metric.
  std::optional<cloudwatch::emf_settings> emf;
  // Set (CWP_RETENTION_DAYS): retention applied to a log group when we create it.
  std::optional<int> retention_days;
  // CWP_LOG_GROUP_CLASS, CWP_KMS_KEY_ID, CWP_LOG_GROUP_TAGS: what a group we create gets.
  cloudwatch::log_group_options log_group_options;
  bool create_log_group{true};  // CWP_CREATE_LOG_GROUP=false: never call CreateLogGroup
  std::string health_file;      // `run` writes its delivery state here; `health` reads it
  cloudwatch::stream_template send_stream;  // where `send` publishes
  std::string crontab;                      // CWP_CRONTAB: the crontab file's path; empty: no jobs
  // CWP_JOB_STREAM: the stream template of jobs without `# cwp: stream=`, with {job} (so not a
  // stream_template yet: jobs::job_stream_template makes one per job). Validated here.
  std::string job_stream;
  // CWP_JOB_MAX_OUTPUT: output bytes published per run of a job without `# cwp: max_output=`.
  std::uint64_t job_max_output{16ULL << 20U};
  // CWP_STOP_GRACE: on SIGTERM, how long running jobs get to end after their SIGTERM.
  std::chrono::milliseconds stop_grace{std::chrono::seconds{10}};
  // CWP_SEND_CONCURRENCY: PutLogEvents calls `send` keeps in flight at once (1 to 16).
  std::size_t send_concurrency{4};
};

// "32MiB", "512k", "1048576": a byte count with an optional binary suffix (k/K/KiB, M/MiB,
// G/GiB; KB/MB/GB mean the same powers of 1024).
core::result<std::uint64_t> parse_byte_size(std::string_view text);

// The smallest CWP_MAX_EVENT_BYTES accepted (the largest is the service's,
// cloudwatch::max_event_bytes).
inline constexpr std::size_t min_max_event_bytes = 1024;
// The most PutLogEvents calls `send` keeps in flight (CWP_SEND_CONCURRENCY).
inline constexpr std::size_t max_send_concurrency = 16;

// Whether every name the stream template `which` (setting::log_stream or setting::send_stream)
// renders with `values` is a valid log stream name. The error (errc::invalid_argument) starts
// with `source`, the flag or variable the template came from, and says what the names render to,
// their length and what to change. resolve() checks every template whose values are known;
// commands/stream_names.h checks a template once instance metadata gave its {instance_id}.
core::result<void> check_stream_names(setting which, std::string_view source,
                                      const cloudwatch::stream_template& pattern,
                                      const cloudwatch::template_values& values);

// Resolves and validates everything. Errors are errc::invalid_argument and name the setting
// (flag or variable) and what is wrong with it; unknown CWP_* variables are errors too (a typo
// must not silently fall back to a default).
core::result<settings> resolve(const flag_values& flags, const core::environment& env);

}  // namespace cwp::config
