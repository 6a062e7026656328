#include "monitoring/alarms.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "jobs/job_name.h"
#include "schedule/duration.h"

namespace cwp::monitoring {
namespace {

using std::chrono::seconds;

// CloudWatch: AlarmDescription is at most 1024 characters.
constexpr std::size_t max_alarm_description_length = 1024;

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// The first `size` bytes of `text`, not splitting a UTF-8 character.
std::string cut(std::string text, std::size_t size) {
  if (text.size() <= size) return text;
  while (size > 0 && utf8_continuation(text[size])) --size;
  text.resize(size);
  return text;
}

// Control characters would make names and descriptions unreadable in the console and in
// shell output; they can only come from a dimension value.
std::string printable(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, '?');
  return text;
}

std::string dimension_list(const std::vector<cloudwatch::emf_dimension>& dimensions) {
  std::string out;
  for (const auto& d : dimensions) out += (out.empty() ? "" : ", ") + d.name + "=" + d.value;
  return printable(out);
}

std::string bounded_name(const std::string& name) {
  if (name.size() <= max_alarm_name_length) return name;
  const std::string suffix = " #" + jobs::stable_suffix(name);
  return cut(name, max_alarm_name_length - suffix.size()) + suffix;
}

std::string text(std::chrono::milliseconds d) { return schedule::format_duration(d); }

// "Backup2Nightly" from "backup-2.nightly".
std::string camel_case(std::string_view name) {
  std::string out;
  bool upper = true;
  for (const char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

// Logical ids derive from job names alone, so reordering the crontab changes no resource (a
// changed logical id would make CloudFormation replace an alarm whose name is fixed, which
// fails). Names that map to the same letters get their names' hashes appended.
void assign_logical_ids(std::vector<alarm_spec>& alarms) {
  std::map<std::string, int> uses;
  for (const auto& a : alarms) {
    if (!a.job.empty()) ++uses["Job" + camel_case(a.job)];
  }
  for (auto& a : alarms) {
    if (a.job.empty()) {
      a.logical_id = "HeartbeatAlarm";
      continue;
    }
    std::string id = "Job" + camel_case(a.job);
    if (uses[id] > 1) id += jobs::stable_suffix(a.job);
    a.logical_id = id + "Alarm";
  }
}

alarm_spec base_alarm(const cloudwatch::metric_directive& directive,
                      const cloudwatch::metric_spec& metric, alarm_window window) {
  alarm_spec a;
  a.metric_namespace = directive.metric_namespace;
  a.metric_name = std::string(metric.name);
  a.dimensions = directive.dimensions;
  a.window = window;
  return a;
}

}  // namespace

std::string heartbeat_alarm_name(const cloudwatch::emf_settings& emf) {
  return bounded_name("cloudwatch-publisher heartbeat missing (" + dimension_list(emf.dimensions) +
                      ")");
}

std::string job_alarm_name(const cloudwatch::emf_settings& emf, std::string_view job) {
  return bounded_name("cloudwatch-publisher job " + std::string(job) + " not succeeding (" +
                      dimension_list(emf.dimensions) + ")");
}

std::string_view partition_of(std::string_view region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  return "aws";
}

alarm_plan plan_alarms(const deployment& d, const alarm_options& options) {
  alarm_plan plan;
  const auto where = dimension_list(d.emf.dimensions);

  const seconds heartbeat_gap = longest_gap(d.heartbeat_schedule);
  const auto splay = std::chrono::ceil<seconds>(d.heartbeat_splay);
  const seconds heartbeat_quiet = heartbeat_gap + splay + options.grace;
  if (auto window = window_covering(heartbeat_quiet)) {
    auto a =
        base_alarm(cloudwatch::heartbeat_directive(d.emf), cloudwatch::heartbeat_metric, *window);
    a.name = heartbeat_alarm_name(d.emf);
    a.description = "No cloudwatch-publisher heartbeat from " + where + " for " +
                    text(window->total()) + ": the schedule \"" + d.heartbeat_schedule.text() +
                    "\" leaves at most " + text(heartbeat_gap) + " between heartbeats, plus " +
                    (splay.count() > 0 ? "splay " + text(splay) + " and " : "") + "grace " +
                    text(options.grace) + ", in periods of " + text(window->period) + ".";
    plan.alarms.push_back(std::move(a));
  } else {
    plan.warnings.push_back("no heartbeat alarm: " + window.error().message +
                            "; use a CWP_SCHEDULE that fires more often than once a week");
  }

  // Crontabs repeat schedules (@hourly, @daily...), and a scan takes a few milliseconds.
  std::map<std::string, seconds> gaps;
  for (const auto& job : d.jobs) {
    auto [known, added] = gaps.try_emplace(job.schedule.text());
    if (added) known->second = longest_gap(job.schedule);
    const seconds gap = known->second;
    const auto timeout = std::chrono::ceil<seconds>(job.timeout.value_or(seconds{0}));
    const seconds quiet = gap + timeout + options.grace;
    auto window = window_covering(quiet);
    if (!window) {
      plan.warnings.push_back(
          "no alarm for job " + job.name + " (\"" + job.schedule.text() +
          "\"): " + window.error().message +
          "; schedule it more often than once a week, or watch it some other way");
      continue;
    }
    const auto directive = cloudwatch::job_directive(d.emf, job.name);
    auto a = base_alarm(directive, cloudwatch::job_success_metric, *window);
    a.name = job_alarm_name(d.emf, job.name);
    a.job = job.name;
    a.description = "Job " + job.name + " on " + where + " has not succeeded for " +
                    text(window->total()) + ": the schedule \"" + job.schedule.text() +
                    "\" leaves at most " + text(gap) + " between runs, plus " +
                    (job.timeout ? "its timeout " + text(timeout) + " and " : "") + "grace " +
                    text(options.grace) + ", in periods of " + text(window->period) + ".";
    plan.alarms.push_back(std::move(a));
  }
  for (auto& a : plan.alarms) a.description = cut(a.description, max_alarm_description_length);
  assign_logical_ids(plan.alarms);
  return plan;
}

}  // namespace cwp::monitoring
