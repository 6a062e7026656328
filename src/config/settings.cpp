#include "config/settings.h"

#include <unistd.h>

#include <algorithm>
#include <array>

#include "aws/credentials/shared_config.h"
#include "cloudwatch/publisher.h"
#include "config/health_path.h"
#include "jobs/job_options.h"
#include "schedule/duration.h"

namespace cwp::config {
namespace {

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

core::error invalid(std::string message) {
  return core::error{core::errc::invalid_argument, std::move(message)};
}

// One setting's text and where it came from ("--log-group", "CWP_LOG_GROUP", "default").
struct lookup {
  std::string value;
  std::string source;
  bool given() const { return source != "default"; }
};

// What the parsers read: the flags, then the environment, then the table's defaults.
struct inputs {
  const flag_values& flags;
  const core::environment& env;

  lookup pick(setting id) const {
    const auto& s = info(id);
    if (auto it = flags.find(id); it != flags.end()) return {it->second, std::string(s.flag)};
    if (auto v = env.non_empty(s.env)) return {*v, std::string(s.env)};
    return {std::string(s.default_value), "default"};
  }
  std::optional<std::string> flag(setting id) const {
    if (auto it = flags.find(id); it != flags.end()) return it->second;
    return std::nullopt;
  }
};

// Runs a validator on a setting's text; its error is named after the setting's source.
template <class Parse>
auto parse_named(const lookup& l, Parse parse) -> decltype(parse(l.value)) {
  auto parsed = parse(l.value);
  if (!parsed) return tl::unexpected(named(l.source, parsed.error()));
  return parsed;
}

std::string system_hostname(const core::environment& env) {
  if (auto h = env.non_empty("HOSTNAME")) return *h;
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) == 0 && buf[0] != '\0') return buf.data();
  return "unknown";
}

// Typos first: CWP_LOG_GRUOP must not silently leave the default in place.
core::result<void> reject_unknown_variables(const core::environment& env) {
  const auto& table = known_settings();
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
    return tl::unexpected(invalid(message));
  }
  return {};
}

// Region: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's, then the replaced image's
// default. Endpoints and the retry policy follow the AWS CLI's variables.
core::result<void> parse_aws(const inputs& in, settings& out) {
  if (auto flag = in.flag(setting::region)) {
    out.region = *flag;
    out.region_source = "--region";
  } else if (auto r = in.env.non_empty("AWS_REGION")) {
    out.region = *r;
    out.region_source = "AWS_REGION";
  } else if (auto d = in.env.non_empty("AWS_DEFAULT_REGION")) {
    out.region = *d;
    out.region_source = "AWS_DEFAULT_REGION";
  } else if (auto profile = aws::profile_region(in.env); !profile) {
    return tl::unexpected(profile.error());
  } else if (*profile) {
    out.region = **profile;
    out.region_source = "profile";
  } else {
    out.region = std::string(info(setting::region).default_value);
    out.region_source = "default";
  }
  if (auto ok = aws::validate_region(out.region); !ok) {
    return tl::unexpected(named(out.region_source, ok.error()));
  }

  auto logs = aws::resolve_endpoint(aws::logs_service, out.region, in.env);
  if (!logs) return tl::unexpected(logs.error());
  out.logs_endpoint = *logs;
  auto sts = aws::resolve_endpoint(aws::sts_service, out.region, in.env);
  if (!sts) return tl::unexpected(sts.error());
  out.sts_endpoint = *sts;

  auto retry = aws::retry_settings_from(in.env);
  if (!retry) return tl::unexpected(retry.error());
  out.retry = *retry;
  return {};
}

// Where events go: the log group, the stream templates and the values of their placeholders
// known from the configuration ({instance_id} may still be unknown: see settings::instance_id).
core::result<void> parse_names(const inputs& in, settings& out) {
  auto group = parse_named(in.pick(setting::log_group), cloudwatch::validate_log_group);
  if (!group) return tl::unexpected(group.error());
  out.log_group = *group;

  auto stream = parse_named(in.pick(setting::log_stream), cloudwatch::stream_template::parse);
  if (!stream) return tl::unexpected(stream.error());
  out.log_stream = *stream;
  auto send = parse_named(in.pick(setting::send_stream), cloudwatch::stream_template::parse);
  if (!send) return tl::unexpected(send.error());
  out.send_stream = *send;

  if (auto flag = in.flag(setting::hostname)) {
    out.hostname = *flag;
  } else if (auto h = in.env.non_empty("CWP_HOSTNAME")) {
    out.hostname = *h;
  } else {
    out.hostname = system_hostname(in.env);
  }

  // An explicit instance id wins over EC2 instance metadata (containers without IMDS access).
  if (const auto id = in.pick(setting::instance_id); id.given()) {
    if (!cloudwatch::validate_log_stream(id.value)) {
      return tl::unexpected(invalid(id.source + ": '" + id.value +
                                    "' cannot be part of a log stream name (1 to 512 "
                                    "characters, no ':' or '*')"));
    }
    out.instance_id = id.value;
  }

  // Names renderable from the settings alone are checked now, before any command goes to the
  // network; with {instance_id} from instance metadata, once it answered (stream_names.h).
  for (const auto which : {setting::log_stream, setting::send_stream}) {
    const auto& pattern = which == setting::log_stream ? out.log_stream : out.send_stream;
    if (pattern.uses("instance_id") && !out.instance_id) continue;
    const lookup given = in.pick(which);
    if (auto ok = check_stream_names(which, given.given() ? given.source : info(which).env, pattern,
                                     {out.hostname, out.instance_id.value_or("")});
        !ok) {
      return ok;
    }
  }
  return {};
}

core::result<void> parse_schedule(const inputs& in, settings& out) {
  auto picked = in.pick(setting::schedule);
  if (picked.value == "off") {
    out.heartbeats = false;
    picked.value = info(setting::schedule).default_value;
  }
  auto schedule = parse_named(picked, schedule::cron_expression::parse);
  if (!schedule) return tl::unexpected(schedule.error());
  out.schedule = *schedule;
  auto splay = parse_named(in.pick(setting::splay), [&](const std::string& text) {
    return schedule::splay::parse(text, out.schedule);
  });
  if (!splay) return tl::unexpected(splay.error());
  out.splay = *splay;
  return {};
}

core::result<void> parse_log_level(const inputs& in, settings& out) {
  const auto level = in.pick(setting::log_level);
  if (!logging::parse_level(level.value, out.log_level)) {
    return tl::unexpected(invalid(level.source + ": '" + level.value +
                                  "' is not a log level (use debug, info, warn or error)"));
  }
  return {};
}

// Files we write outside the spool.
core::result<void> parse_files(const inputs& in, settings& out) {
  const auto health_file = in.pick(setting::health_file);
  if (health_file.value.ends_with('/')) {
    return tl::unexpected(invalid(health_file.source + ": '" + health_file.value +
                                  "' is a directory; give the path of a file"));
  }
  out.health_file =
      health_file.given() ? health_file.value : default_health_file(in.env, ::geteuid());
  // The file is read by the commands that use it, which report its errors with file:line.
  out.crontab = in.pick(setting::crontab).value;
  return {};
}

// What jobs publish: their default stream and output bound (a crontab line may set its own).
core::result<void> parse_jobs(const inputs& in, settings& out) {
  const auto stream = in.pick(setting::job_stream);
  auto parsed = parse_named(
      stream, [](const std::string& text) { return jobs::job_stream_template(text, "job"); });
  if (!parsed) return tl::unexpected(parsed.error());
  out.job_stream = stream.value;
  const auto max_output = in.pick(setting::job_max_output);
  auto bytes = parse_named(max_output, parse_byte_size);
  if (!bytes) return tl::unexpected(bytes.error());
  if (*bytes == 0) {
    return tl::unexpected(
        invalid(max_output.source + ": '" + max_output.value + "' must be at least 1 byte"));
  }
  out.job_max_output = *bytes;
  auto grace = parse_named(in.pick(setting::stop_grace), schedule::parse_duration);
  if (!grace) return tl::unexpected(grace.error());
  out.stop_grace = *grace;
  return {};
}

// The largest event, then the spool's bounds, which must hold one such event; `send`'s
// concurrency.
core::result<void> parse_spool(const inputs& in, settings& out) {
  const auto concurrency = in.pick(setting::send_concurrency);
  const auto& n = concurrency.value;
  if (n.empty() || n.size() > 2 || n.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(n) < 1 || std::stoul(n) > max_send_concurrency) {
    return tl::unexpected(invalid(concurrency.source + ": '" + n +
                                  "' is not a number of concurrent calls between 1 and " +
                                  std::to_string(max_send_concurrency)));
  }
  out.send_concurrency = std::stoul(n);

  if (const auto dir = in.pick(setting::spool_dir); dir.given()) {
    if (dir.value.empty() || dir.value.front() != '/') {
      return tl::unexpected(invalid(dir.source + ": '" + dir.value + "' must be an absolute path"));
    }
    out.spool_dir = dir.value;
  }

  const auto max_event = in.pick(setting::max_event_bytes);
  auto event_bytes = parse_named(max_event, parse_byte_size);
  if (!event_bytes) return tl::unexpected(event_bytes.error());
  if (*event_bytes < min_max_event_bytes || *event_bytes > cloudwatch::max_event_bytes) {
    return tl::unexpected(invalid(
        max_event.source + ": '" + max_event.value + "' is not an event size between " +
        std::to_string(min_max_event_bytes) + " and " +
        std::to_string(cloudwatch::max_event_bytes) +
        " bytes (1MiB, the PutLogEvents limit; message + 26 bytes; 256KiB for a partition still "
        "on the old limit)"));
  }
  out.max_event_bytes = static_cast<std::size_t>(*event_bytes);

  const auto max_events = in.pick(setting::spool_max_events);
  auto events = parse_byte_size(max_events.value);  // a plain count; suffixes are not allowed
  if (!events || max_events.value.find_first_not_of("0123456789") != std::string::npos ||
      *events < 10 || *events > 10'000'000) {
    return tl::unexpected(invalid(max_events.source + ": '" + max_events.value +
                                  "' is not a number of events between 10 and 10000000"));
  }
  out.spool_limits.max_events = static_cast<std::size_t>(*events);

  const auto max_bytes = in.pick(setting::spool_max_bytes);
  auto bytes = parse_named(max_bytes, parse_byte_size);
  if (!bytes) return tl::unexpected(bytes.error());
  if (*bytes < std::uint64_t{64} * 1024) {
    return tl::unexpected(
        invalid(max_bytes.source + ": '" + max_bytes.value + "' is too small (at least 64KiB)"));
  }
  if (*bytes < out.max_event_bytes) {  // the largest event would be dropped as soon as kept
    return tl::unexpected(
        invalid(max_bytes.source + ": '" + max_bytes.value + "' cannot hold one event of " +
                std::string(max_event.source == "default" ? info(setting::max_event_bytes).env
                                                          : max_event.source) +
                " (" + std::to_string(out.max_event_bytes) + " bytes): raise it, or lower " +
                std::string(info(setting::max_event_bytes).env)));
  }
  out.spool_limits.max_bytes = *bytes;
  return {};
}

// Needs the log group and host name: the built-in dimensions take their values.
core::result<void> parse_emf(const inputs& in, settings& out) {
  const auto metric_namespace = in.pick(setting::emf_namespace);
  const auto dimensions = in.pick(setting::emf_dimensions);
  if (metric_namespace.value.empty()) {
    if (!dimensions.given()) return {};
    return tl::unexpected(invalid(dimensions.source + ": has no effect without " +
                                  std::string(info(setting::emf_namespace).env) + " (or " +
                                  std::string(info(setting::emf_namespace).flag) + ")"));
  }
  auto ns = parse_named(metric_namespace, cloudwatch::validate_emf_namespace);
  if (!ns) return tl::unexpected(ns.error());
  auto dims = parse_named(dimensions, [&](const std::string& text) {
    return cloudwatch::parse_emf_dimensions(text, {out.log_group, out.hostname});
  });
  if (!dims) return tl::unexpected(dims.error());
  out.emf = cloudwatch::emf_settings{std::move(*ns), std::move(*dims)};
  return {};
}

core::result<void> parse_retention(const inputs& in, settings& out) {
  const auto retention = in.pick(setting::retention_days);
  if (retention.value.empty()) return {};
  auto days = parse_named(retention, cloudwatch::parse_retention_days);
  if (!days) return tl::unexpected(days.error());
  out.retention_days = *days;
  return {};
}

// What a group we create gets. Needs EMF resolved: an Infrequent Access group extracts no
// metrics from EMF documents, so the Heartbeat metric (and its alarm) would never work.
core::result<void> parse_log_group_options(const inputs& in, settings& out) {
  auto& options = out.log_group_options;
  if (const auto c = in.pick(setting::log_group_class); c.given()) {
    auto parsed = parse_named(c, cloudwatch::parse_log_group_class);
    if (!parsed) return tl::unexpected(parsed.error());
    options.log_class = *parsed;
    if (*parsed == cloudwatch::log_group_class::infrequent_access && out.emf) {
      return tl::unexpected(invalid(
          c.source +
          ": INFREQUENT_ACCESS log groups do not extract metrics from Embedded Metric "
          "Format, so with " +
          std::string(info(setting::emf_namespace).env) +
          " set the Heartbeat metric would never exist and its alarm would always fire: use "
          "STANDARD, or unset " +
          std::string(info(setting::emf_namespace).env)));
    }
  }
  if (const auto key = in.pick(setting::kms_key_id); key.given()) {
    auto parsed = parse_named(key, cloudwatch::validate_kms_key_id);
    if (!parsed) return tl::unexpected(parsed.error());
    options.kms_key_id = *parsed;
  }
  if (const auto tags = in.pick(setting::log_group_tags); tags.given()) {
    auto parsed = parse_named(tags, cloudwatch::parse_log_group_tags);
    if (!parsed) return tl::unexpected(parsed.error());
    options.tags = std::move(*parsed);
  }
  const auto create = in.pick(setting::create_log_group);
  if (create.value != "true" && create.value != "false") {
    return tl::unexpected(invalid(create.source + ": '" + create.value + "' is not true or false"));
  }
  out.create_log_group = create.value == "true";
  return {};
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

core::result<void> check_stream_names(setting which, std::string_view source,
                                      const cloudwatch::stream_template& pattern,
                                      const cloudwatch::template_values& values) {
  auto ok = pattern.check_values(values);
  if (ok) return ok;
  const std::string hostname = std::string(info(setting::hostname).env) + " (" +
                               std::string(info(setting::hostname).flag) + ")";
  std::string fix;
  const auto length = pattern.expand(core::sys_time{}, values).size();
  if (length == 0 || length > cloudwatch::max_name_length) {
    fix = "shorten " + std::string(info(which).env) + " (" + std::string(info(which).flag) + ")";
    if (pattern.uses("hostname")) fix += ", or set a shorter host name with " + hostname;
  } else {
    // The template's own text was checked when it was parsed, and an instance id is checked
    // when it is known: the character comes from the host name.
    fix = "set " + hostname + " to a name without ':' or '*', or use a template without " +
          "{hostname}";
  }
  return tl::unexpected(invalid(std::string(source) + ": " + ok.error().message + "; " + fix));
}

core::result<settings> resolve(const flag_values& flags, const core::environment& env) {
  if (auto known = reject_unknown_variables(env); !known) return tl::unexpected(known.error());
  const inputs in{flags, env};
  settings out;
  // In this order: a later group may read what an earlier one resolved (EMF dimensions take the
  // log group and host name; the log group class is checked against EMF).
  for (const auto parse :
       {parse_aws, parse_names, parse_schedule, parse_log_level, parse_files, parse_jobs,
        parse_spool, parse_emf, parse_retention, parse_log_group_options}) {
    if (auto ok = parse(in, out); !ok) return tl::unexpected(ok.error());
  }
  return out;
}

}  // namespace cwp::config
