#include "config/settings.h"

#include <unistd.h>

#include <algorithm>
#include <array>

#include "aws/credentials/shared_config.h"
#include "cloudwatch/publisher.h"
#include "config/health_path.h"

namespace cwp::config {
namespace {

const std::vector<setting_info> table = {
    {setting::log_group, "--log-group", "CWP_LOG_GROUP", "/monorepo-fem/heartbeat",
     "CloudWatch Logs group to publish to (created if missing)"},
    {setting::log_stream, "--log-stream", "CWP_LOG_STREAM", "heartbeat-{date}",
     "Log stream name template: {date} (UTC YYYY-MM-DD of the event), {hostname}, "
     "{instance_id}"},
    {setting::region, "--region", "AWS_REGION", "ap-southeast-2",
     "AWS region (also read from AWS_DEFAULT_REGION)"},
    {setting::schedule, "--schedule", "CWP_SCHEDULE", "*/1 * * * *",
     "When `run` publishes: 5-field cron (UTC), @hourly, @daily, or @every <duration>"},
    {setting::splay, "--splay", "CWP_SPLAY", "0",
     "Random delay added to each scheduled heartbeat, e.g. 0-30s (spreads a fleet's calls)"},
    {setting::log_level, "--log-level", "CWP_LOG_LEVEL", "info",
     "Our own log lines: debug, info, warn or error"},
    {setting::hostname, "--hostname", "CWP_HOSTNAME", "$HOSTNAME or the system host name",
     "Host name reported in heartbeats and used by {hostname}"},
    {setting::instance_id, "--instance-id", "CWP_INSTANCE_ID", "EC2 instance metadata",
     "Value of {instance_id} in stream templates; when unset it is asked from EC2 instance "
     "metadata (IMDSv2), and only if a template uses {instance_id}"},
    {setting::spool_dir, "--spool-dir", "CWP_SPOOL_DIR", "none: memory only",
     "Directory of the crash-safe spool: undelivered events survive restarts and crashes"},
    {setting::spool_max_events, "--spool-max-events", "CWP_SPOOL_MAX_EVENTS", "100000",
     "Most undelivered events kept; beyond it the oldest are dropped (and counted)"},
    {setting::spool_max_bytes, "--spool-max-bytes", "CWP_SPOOL_MAX_BYTES", "32MiB",
     "Most bytes of undelivered events kept (message + 26 bytes each), e.g. 64MiB"},
    {setting::emf_namespace, "--emf-namespace", "CWP_EMF_NAMESPACE", "",
     "CloudWatch metric namespace: when set, heartbeats are written in Embedded Metric Format "
     "with a Heartbeat metric (for an alarm on missing heartbeats)"},
    {setting::emf_dimensions, "--emf-dimensions", "CWP_EMF_DIMENSIONS", "LogGroup,Host",
     "Dimensions of the Heartbeat metric: LogGroup, Host, or Name=value, comma-separated "
     "(at most 30)"},
    {setting::retention_days, "--retention-days", "CWP_RETENTION_DAYS", "",
     "Retention in days set on the log group when we create it (1, 3, 5, 7, 14, 30, ... 3653)"},
    {setting::health_file, "--health-file", "CWP_HEALTH_FILE",
     "/run/cloudwatch-publisher/health.json, or under $XDG_RUNTIME_DIR for non-root users",
     "State file `run` writes after each delivery attempt and `health` reads"},
    {setting::send_stream, "--stream", "CWP_SEND_STREAM", "send-{date}",
     "Log stream name template for `send` (same placeholders as --log-stream)"},
    {setting::crontab, "--crontab", "CWP_CRONTAB", "",
     "Crontab file of jobs (docs/jobs.md); `alarm` and `dashboard` watch its jobs"},
};

// Levenshtein distance, for "did you mean" on unknown settings.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0U : 1U)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Prefixes a validation error with the flag or variable the bad value came from.
core::error named(std::string_view source, const core::error& e) {
  return core::error{core::errc::invalid_argument, std::string(source) + ": " + e.message};
}

struct lookup {
  std::string value;
  std::string source;
};

lookup pick(setting id, const flag_values& flags, const core::environment& env) {
  const auto& s = info(id);
  if (auto it = flags.find(id); it != flags.end()) return {it->second, std::string(s.flag)};
  if (auto v = env.non_empty(s.env)) return {*v, std::string(s.env)};
  return {std::string(s.default_value), "default"};
}

std::string system_hostname(const core::environment& env) {
  if (auto h = env.non_empty("HOSTNAME")) return *h;
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) == 0 && buf[0] != '\0') return buf.data();
  return "unknown";
}

}  // namespace

core::result<std::uint64_t> parse_byte_size(std::string_view text) {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (UINT64_MAX - 9) / 10) return core::fail(core::errc::invalid_argument, "too large");
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  if (i == 0) {
    return core::fail(
        core::errc::invalid_argument,
        "'" + std::string(text) + "' is not a size (use bytes, or e.g. 512KiB, 64MiB)");
  }
  const std::string_view suffix = text.substr(i);
  std::uint64_t unit = 0;
  if (suffix.empty() || suffix == "B") {
    unit = 1;
  } else if (suffix == "k" || suffix == "K" || suffix == "KB" || suffix == "KiB") {
    unit = 1ULL << 10U;
  } else if (suffix == "M" || suffix == "MB" || suffix == "MiB") {
    unit = 1ULL << 20U;
  } else if (suffix == "G" || suffix == "GB" || suffix == "GiB") {
    unit = 1ULL << 30U;
  } else {
    return core::fail(core::errc::invalid_argument,
                      "unknown size unit '" + std::string(suffix) + "' (use KiB, MiB or GiB)");
  }
  if (value > UINT64_MAX / unit) return core::fail(core::errc::invalid_argument, "too large");
  return value * unit;
}

const std::vector<setting_info>& known_settings() { return table; }

const setting_info& info(setting id) {
  return *std::find_if(table.begin(), table.end(), [&](const auto& s) { return s.id == id; });
}

core::result<settings> resolve(const flag_values& flags, const core::environment& env) {
  // Typos first: CWP_LOG_GRUOP must not silently leave the default in place.
  for (const auto& name : env.names()) {
    if (!name.starts_with("CWP_")) continue;
    const bool known =
        std::any_of(table.begin(), table.end(), [&](const auto& s) { return s.env == name; });
    if (known) continue;
    std::string message = "unknown setting " + name;
    const auto best =
        std::min_element(table.begin(), table.end(), [&](const auto& a, const auto& b) {
          return distance(name, a.env) < distance(name, b.env);
        });
    if (best != table.end() && distance(name, best->env) <= 3) {
      message += " (did you mean " + std::string(best->env) + "?)";
    }
    return core::fail(core::errc::invalid_argument, message);
  }

  settings out;

  // Region: --region, AWS_REGION, AWS_DEFAULT_REGION, then the replaced image's default.
  if (auto it = flags.find(setting::region); it != flags.end()) {
    out.region = it->second;
    out.region_source = "--region";
  } else if (auto r = env.non_empty("AWS_REGION")) {
    out.region = *r;
    out.region_source = "AWS_REGION";
  } else if (auto d = env.non_empty("AWS_DEFAULT_REGION")) {
    out.region = *d;
    out.region_source = "AWS_DEFAULT_REGION";
  } else if (auto profile = aws::profile_region(env); !profile) {
    return tl::unexpected(profile.error());
  } else if (*profile) {
    out.region = **profile;
    out.region_source = "profile";
  } else {
    out.region = std::string(info(setting::region).default_value);
    out.region_source = "default";
  }
  if (auto ok = aws::validate_region(out.region); !ok) {
    return core::fail(core::errc::invalid_argument, out.region_source + ": " + ok.error().message);
  }

  auto logs = aws::resolve_endpoint(aws::logs_service, out.region, env);
  if (!logs) return tl::unexpected(logs.error());
  out.logs_endpoint = *logs;
  auto sts = aws::resolve_endpoint(aws::sts_service, out.region, env);
  if (!sts) return tl::unexpected(sts.error());
  out.sts_endpoint = *sts;

  auto retry = aws::retry_settings_from(env);
  if (!retry) return tl::unexpected(retry.error());
  out.retry = *retry;

  const auto group = pick(setting::log_group, flags, env);
  auto valid_group = cloudwatch::validate_log_group(group.value);
  if (!valid_group) return tl::unexpected(named(group.source, valid_group.error()));
  out.log_group = *valid_group;

  const auto stream = pick(setting::log_stream, flags, env);
  auto tmpl = cloudwatch::stream_template::parse(stream.value);
  if (!tmpl) return tl::unexpected(named(stream.source, tmpl.error()));
  out.log_stream = *tmpl;

  const auto schedule_text = pick(setting::schedule, flags, env);
  auto schedule = schedule::cron_expression::parse(schedule_text.value);
  if (!schedule) return tl::unexpected(named(schedule_text.source, schedule.error()));
  out.schedule = *schedule;
  const auto splay_text = pick(setting::splay, flags, env);
  auto splay = schedule::splay::parse(splay_text.value, out.schedule);
  if (!splay) return tl::unexpected(named(splay_text.source, splay.error()));
  out.splay = *splay;

  const auto level = pick(setting::log_level, flags, env);
  if (!logging::parse_level(level.value, out.log_level)) {
    return core::fail(core::errc::invalid_argument,
                      level.source + ": '" + level.value +
                          "' is not a log level (use debug, info, warn or error)");
  }

  const auto health_file = pick(setting::health_file, flags, env);
  if (health_file.value.ends_with('/')) {
    return core::fail(core::errc::invalid_argument,
                      health_file.source + ": '" + health_file.value +
                          "' is a directory; give the path of a file");
  }
  out.health_file =
      health_file.source == "default" ? default_health_file(env, ::geteuid()) : health_file.value;

  const auto send_stream = pick(setting::send_stream, flags, env);
  auto send_tmpl = cloudwatch::stream_template::parse(send_stream.value);
  if (!send_tmpl) return tl::unexpected(named(send_stream.source, send_tmpl.error()));
  out.send_stream = *send_tmpl;

  // The file is read by the commands that use it, which report its errors with file:line.
  out.crontab = pick(setting::crontab, flags, env).value;

  if (auto it = flags.find(setting::hostname); it != flags.end()) {
    out.hostname = it->second;
  } else if (auto h = env.non_empty("CWP_HOSTNAME")) {
    out.hostname = *h;
  } else {
    out.hostname = system_hostname(env);
  }

  // An explicit instance id wins over EC2 instance metadata (containers without IMDS access).
  if (const auto id = pick(setting::instance_id, flags, env); id.source != "default") {
    auto valid = cloudwatch::validate_log_stream(id.value);
    if (!valid) {
      return core::fail(core::errc::invalid_argument,
                        id.source + ": '" + id.value +
                            "' cannot be part of a log stream name (1 to 512 characters, no ':' "
                            "or '*')");
    }
    out.instance_id = id.value;
  }

  if (const auto dir = pick(setting::spool_dir, flags, env); dir.source != "default") {
    if (dir.value.empty() || dir.value.front() != '/') {
      return core::fail(core::errc::invalid_argument,
                        dir.source + ": '" + dir.value + "' must be an absolute path");
    }
    out.spool_dir = dir.value;
  }

  const auto max_events = pick(setting::spool_max_events, flags, env);
  auto events = parse_byte_size(max_events.value);  // a plain count; suffixes are not allowed
  if (!events || max_events.value.find_first_not_of("0123456789") != std::string::npos ||
      *events < 10 || *events > 10'000'000) {
    return core::fail(core::errc::invalid_argument,
                      max_events.source + ": '" + max_events.value +
                          "' is not a number of events between 10 and 10000000");
  }
  out.spool_limits.max_events = static_cast<std::size_t>(*events);

  const auto max_bytes = pick(setting::spool_max_bytes, flags, env);
  auto bytes = parse_byte_size(max_bytes.value);
  if (!bytes) return tl::unexpected(named(max_bytes.source, bytes.error()));
  if (*bytes < 64 * 1024) {
    return core::fail(core::errc::invalid_argument, max_bytes.source + ": '" + max_bytes.value +
                                                        "' is too small (at least 64KiB)");
  }
  out.spool_limits.max_bytes = *bytes;

  const auto metric_namespace = pick(setting::emf_namespace, flags, env);
  const auto dimensions = pick(setting::emf_dimensions, flags, env);
  if (!metric_namespace.value.empty()) {
    auto ns = cloudwatch::validate_emf_namespace(metric_namespace.value);
    if (!ns) return tl::unexpected(named(metric_namespace.source, ns.error()));
    auto dims = cloudwatch::parse_emf_dimensions(dimensions.value, {out.log_group, out.hostname});
    if (!dims) return tl::unexpected(named(dimensions.source, dims.error()));
    out.emf = cloudwatch::emf_settings{std::move(*ns), std::move(*dims)};
  } else if (dimensions.source != "default") {
    return core::fail(core::errc::invalid_argument,
                      dimensions.source + ": has no effect without " +
                          std::string(info(setting::emf_namespace).env) + " (or " +
                          std::string(info(setting::emf_namespace).flag) + ")");
  }

  const auto retention = pick(setting::retention_days, flags, env);
  if (!retention.value.empty()) {
    auto days = cloudwatch::parse_retention_days(retention.value);
    if (!days) return tl::unexpected(named(retention.source, days.error()));
    out.retention_days = *days;
  }
  return out;
}

}  // namespace cwp::config
