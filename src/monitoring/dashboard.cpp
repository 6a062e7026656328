#include "monitoring/dashboard.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "jobs/run_result.h"
#include "schedule/duration.h"

namespace cwp::monitoring {
namespace {

using json = nlohmann::ordered_json;
using std::chrono::seconds;

// The dashboard grid is 24 units wide.
constexpr int grid_width = 24;
constexpr int half_width = grid_width / 2;
constexpr int graph_height = 6;
constexpr int text_height = 2;
constexpr int log_height = 8;
// Rows of alarms an alarm status widget shows per height unit, roughly (4 per row at full width).
constexpr std::size_t alarms_per_height_unit = 4;

// A widget's place on the grid; widgets are laid out in rows, left to right.
class layout {
 public:
  json place(std::string_view type, int width, int height, json properties) {
    if (x_ + width > grid_width) next_row();
    json widget = {{"type", type}, {"x", x_}, {"y", y_}, {"width", width}, {"height", height}};
    widget["properties"] = std::move(properties);
    x_ += width;
    row_height_ = std::max(row_height_, height);
    return widget;
  }
  void next_row() {
    y_ += row_height_;
    x_ = 0;
    row_height_ = 0;
  }

 private:
  int x_{0};
  int y_{0};
  int row_height_{0};
};

// The period a graph sums over: the schedule's shortest interval in whole minutes, so each
// point counts about one run (or heartbeat), from a minute to a day.
seconds graph_period(const schedule::cron_expression& schedule) {
  const seconds interval = std::clamp(schedule.min_interval(), min_alarm_period, max_alarm_period);
  return ((interval + seconds{59}) / 60) * 60;
}

// [namespace, metric, dim1, value1, ..., {options}]: the dashboard's metric array form.
json metric_line(const cloudwatch::metric_directive& directive,
                 const cloudwatch::metric_spec& metric, json options) {
  json line = json::array({directive.metric_namespace, metric.name});
  for (const auto& d : directive.dimensions) {
    line.push_back(d.name);
    line.push_back(d.value);
  }
  line.push_back(std::move(options));
  return line;
}

json graph(const deployment& d, std::string title, json metrics, seconds period) {
  json properties = {
      {"title", std::move(title)}, {"view", "timeSeries"}, {"region", d.region},
      {"period", period.count()},  {"stat", "Sum"},        {"metrics", std::move(metrics)}};
  properties["yAxis"] = {{"left", {{"min", 0}}}};
  return properties;
}

std::string where(const deployment& d) {
  std::string out;
  for (const auto& dim : d.emf.dimensions) {
    out += (out.empty() ? "" : ", ") + dim.name + "=" + dim.value;
  }
  return out;
}

std::size_t metric_count(const json& widgets) {
  std::size_t n = 0;
  for (const auto& w : widgets) {
    if (w["properties"].contains("metrics")) n += w["properties"]["metrics"].size();
  }
  return n;
}

void add_alarm_widgets(json& widgets, layout& grid, const alarm_plan& plan,
                       std::string_view arn_prefix) {
  for (std::size_t first = 0; first < plan.alarms.size(); first += max_alarms_per_widget) {
    const auto last = std::min(plan.alarms.size(), first + max_alarms_per_widget);
    json arns = json::array();
    for (auto i = first; i < last; ++i)
      arns.push_back(std::string(arn_prefix) + plan.alarms[i].name);
    const auto rows = (last - first + alarms_per_height_unit - 1) / alarms_per_height_unit;
    const int height = static_cast<int>(1 + rows);
    widgets.push_back(grid.place(
        "alarm", grid_width, height,
        {{"title", "Alarms: is a heartbeat or a job overdue?"}, {"alarms", std::move(arns)}}));
    grid.next_row();
  }
}

void add_job_widgets(json& widgets, layout& grid, const deployment& d) {
  if (d.jobs.empty()) return;
  json failures = json::array();
  for (const auto& job : d.jobs) {
    failures.push_back(metric_line(cloudwatch::job_directive(d.emf, job.name),
                                   cloudwatch::job_failure_metric, {{"label", job.name}}));
  }
  widgets.push_back(grid.place("metric", half_width, graph_height,
                               graph(d, "Failed runs per job (JobFailure, Sum per hour)",
                                     std::move(failures), seconds{3600})));
  grid.next_row();
  for (const auto& job : d.jobs) {
    const auto directive = cloudwatch::job_directive(d.emf, job.name);
    json metrics = json::array({
        metric_line(directive, cloudwatch::job_success_metric, {{"label", "succeeded"}}),
        metric_line(directive, cloudwatch::job_failure_metric, {{"label", "failed"}}),
        metric_line(directive, cloudwatch::job_duration_metric,
                    {{"label", "longest run (ms)"}, {"stat", "Maximum"}, {"yAxis", "right"}}),
    });
    const auto period = graph_period(job.schedule);
    widgets.push_back(
        grid.place("metric", half_width, graph_height,
                   graph(d,
                         "Job " + job.name + " (" + job.schedule.text() + "): runs per " +
                             schedule::format_duration(period) + ", duration",
                         std::move(metrics), period)));
  }
  grid.next_row();
}

}  // namespace

std::string dashboard_name_problem(std::string_view name) {
  if (name.empty() || name.size() > max_dashboard_name_length) {
    return "a dashboard name is 1 to 255 characters";
  }
  const bool valid = std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
  return valid ? std::string() : "a dashboard name has only letters, digits, - and _";
}

std::string default_dashboard_name(std::string_view host) {
  std::string name = "cloudwatch-publisher-";
  for (const char c : host) {
    const bool valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_';
    name += valid ? c : '-';
  }
  name.resize(std::min(name.size(), max_dashboard_name_length));
  return name;
}

std::string alarm_arn_prefix(std::string_view region, std::string_view account_id) {
  return "arn:" + std::string(partition_of(region)) + ":cloudwatch:" + std::string(region) + ":" +
         std::string(account_id) + ":alarm:";
}

std::string failed_runs_query(std::string_view log_group) {
  namespace f = jobs::result_field;
  const auto s = [](std::string_view v) { return std::string(v); };
  // Log group names have no quotes ([A-Za-z0-9._/#-]), so SOURCE '...' needs no escaping.
  return "SOURCE '" + s(log_group) + "' | fields @timestamp, " + s(f::job) + ", " + s(f::outcome) +
         ", " + s(f::exit_code) + ", " + s(f::signal) + ", " + s(f::reason) + ", " +
         s(f::duration_ms) + ", " + s(f::host) + ", " + s(f::run_id) + ", " + s(f::output_tail) +
         "\n| filter " + s(f::event) + " = \"" + s(jobs::result_event_name) + "\" and " +
         s(f::outcome) + " in [\"" + s(jobs::to_string(jobs::outcome::failure)) + "\", \"" +
         s(jobs::to_string(jobs::outcome::timeout)) + "\"]\n| sort @timestamp desc\n| limit 20";
}

core::result<std::string> dashboard_body(const deployment& d, const alarm_plan& plan,
                                         std::string_view alarm_arn_prefix) {
  json widgets = json::array();
  layout grid;
  widgets.push_back(grid.place(
      "text", grid_width, text_height,
      {{"markdown", "## cloudwatch-publisher: " + where(d) + "\nHeartbeats and job runs in " +
                        "namespace `" + d.emf.metric_namespace + "`, log group `" + d.log_group +
                        "`. Generated by `cloudwatch-publisher dashboard`: generate it again "
                        "after changing the crontab or the EMF settings."}}));
  grid.next_row();
  add_alarm_widgets(widgets, grid, plan, alarm_arn_prefix);

  const auto heartbeat = cloudwatch::heartbeat_directive(d.emf);
  const auto period = graph_period(d.heartbeat_schedule);
  widgets.push_back(grid.place(
      "metric", half_width, graph_height,
      graph(d, "Heartbeats (Sum per " + schedule::format_duration(period) + ")",
            json::array(
                {metric_line(heartbeat, cloudwatch::heartbeat_metric, {{"label", "Heartbeat"}})}),
            period)));
  add_job_widgets(widgets, grid, d);

  if (!d.jobs.empty()) {
    widgets.push_back(grid.place("log", grid_width, log_height,
                                 {{"title", "Latest failed runs, with their output tail"},
                                  {"region", d.region},
                                  {"view", "table"},
                                  {"query", failed_runs_query(d.log_group)}}));
  }

  if (widgets.size() > max_dashboard_widgets || metric_count(widgets) > max_dashboard_metrics ||
      d.jobs.size() > max_widget_metrics) {
    return core::fail(core::errc::invalid_argument,
                      "the crontab has " + std::to_string(d.jobs.size()) +
                          " jobs, more than one dashboard can show (CloudWatch allows " +
                          std::to_string(max_dashboard_widgets) +
                          " widgets per dashboard, and this one has one per job); split the "
                          "jobs over several crontabs");
  }
  return json{{"widgets", std::move(widgets)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace cwp::monitoring
