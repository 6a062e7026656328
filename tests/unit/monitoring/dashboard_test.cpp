#include "monitoring/dashboard.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "cloudwatch/heartbeat.h"
#include "core/time_format.h"
#include "fixtures.h"
#include "jobs/run_result.h"
#include "monitoring/dashboard_output.h"

namespace cwp::monitoring {
namespace {

using json = nlohmann::json;
using testing::publisher;

// A metric as a dashboard or an EMF document names it.
struct metric_id {
  std::string metric_namespace;
  std::string name;
  std::vector<std::pair<std::string, std::string>> dimensions;
  auto operator<=>(const metric_id&) const = default;
};

json body_of(const deployment& d) {
  const auto plan = plan_alarms(d, {});
  const auto body = dashboard_body(d, plan, alarm_arn_prefix(d.region, "123456789012"));
  EXPECT_TRUE(body) << (body ? "" : body.error().message);
  return body ? json::parse(*body) : json::object();
}

// Every metric the dashboard's metric widgets reference.
std::set<metric_id> referenced(const json& body) {
  std::set<metric_id> out;
  for (const auto& w : body["widgets"]) {
    if (w["type"] != "metric") continue;
    for (const auto& line : w["properties"]["metrics"]) {
      metric_id m{line[0], line[1], {}};
      for (std::size_t i = 2; i + 1 < line.size(); i += 2) {
        m.dimensions.emplace_back(line[i], line[i + 1]);
      }
      EXPECT_TRUE(line.back().is_object());
      out.insert(m);
    }
  }
  return out;
}

// Every metric an EMF document declares, with the dimension values it carries.
std::set<metric_id> declared(const std::string& message) {
  const auto doc = json::parse(message);
  std::set<metric_id> out;
  for (const auto& directive : doc["_aws"]["CloudWatchMetrics"]) {
    for (const auto& set : directive["Dimensions"]) {
      for (const auto& metric : directive["Metrics"]) {
        metric_id m{directive["Namespace"], metric["Name"], {}};
        for (const auto& name : set) m.dimensions.emplace_back(name, doc[name.get<std::string>()]);
        EXPECT_TRUE(doc.contains(metric["Name"].get<std::string>()));
        out.insert(m);
      }
    }
  }
  return out;
}

// What the program writes for this publisher: a heartbeat, and a failed and a successful
// result of every job, through the writers the daemon and the runner use.
std::set<metric_id> emitted(const deployment& d) {
  const auto now = *core::parse_iso8601("2026-01-02T03:00:00Z");
  cloudwatch::heartbeat_source source{"node-7",           "0.1.0", "*/1 * * * *",
                                      "0123456789abcdef", now,     d.emf};
  auto out = declared(cloudwatch::make_heartbeat_event(source, {1, now}).message);
  for (const auto& job : d.jobs) {
    for (const auto outcome : {jobs::outcome::success, jobs::outcome::failure}) {
      jobs::run_result r;
      r.job = job.name;
      r.result = outcome;
      r.started = r.ended = r.scheduled = now;
      const auto event = jobs::make_result_event(r, {"node-7", d.emf});
      for (const auto& m : declared(event.message)) out.insert(m);
    }
  }
  return out;
}

TEST(Dashboard, ReferencesOnlyMetricsTheProgramEmitsAndEveryOneOfThem) {
  const auto d = publisher(testing::three_jobs());
  const auto refs = referenced(body_of(d));
  const auto written = emitted(d);
  for (const auto& m : refs) {
    EXPECT_TRUE(written.contains(m))
        << m.metric_namespace << " " << m.name << " " << m.dimensions.back().second;
  }
  EXPECT_EQ(refs, written) << "a metric we emit is missing from the dashboard";
  EXPECT_EQ(refs.size(), 1U + 3U * 3U);
}

TEST(Dashboard, HasTheHeaderAlarmsHeartbeatJobsAndFailedRunsWidgets) {
  const auto d = publisher(testing::three_jobs());
  const auto body = body_of(d);
  std::vector<std::string> types;
  for (const auto& w : body["widgets"]) types.push_back(w["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"text", "alarm", "metric", "metric", "metric",
                                             "metric", "metric", "log"}));
  for (const auto& w : body["widgets"]) {
    if (w["type"] == "metric" || w["type"] == "log") {
      EXPECT_EQ(w["properties"]["region"], "ap-southeast-2");
    }
  }
}

TEST(Dashboard, ShowsTheAlarmsAlarmCreatesByArn) {
  const auto d = publisher(testing::three_jobs());
  const auto plan = plan_alarms(d, {});
  const auto body = body_of(d);
  std::vector<std::string> arns;
  for (const auto& w : body["widgets"]) {
    if (w["type"] == "alarm") {
      for (const auto& arn : w["properties"]["alarms"]) arns.push_back(arn);
    }
  }
  ASSERT_EQ(arns.size(), plan.alarms.size());
  for (std::size_t i = 0; i < arns.size(); ++i) {
    EXPECT_EQ(arns[i],
              "arn:aws:cloudwatch:ap-southeast-2:123456789012:alarm:" + plan.alarms[i].name);
  }
}

TEST(Dashboard, WidgetsFitTheGridWithoutOverlapping) {
  std::vector<watched_job> many;
  for (int i = 0; i < 150; ++i) many.push_back(testing::job("job" + std::to_string(i), "@hourly"));
  const auto body = body_of(publisher(many));
  std::set<std::pair<int, int>> cells;
  int alarm_widgets = 0;
  for (const auto& w : body["widgets"]) {
    const int x = w["x"];
    const int y = w["y"];
    const int width = w["width"];
    const int height = w["height"];
    EXPECT_GE(x, 0);
    EXPECT_GE(width, 1);
    EXPECT_LE(x + width, 24);
    EXPECT_GE(height, 1);
    for (int i = x; i < x + width; ++i) {
      for (int j = y; j < y + height; ++j) EXPECT_TRUE(cells.insert({i, j}).second) << w.dump();
    }
    if (w["type"] == "alarm") {
      ++alarm_widgets;
      EXPECT_LE(w["properties"]["alarms"].size(), 100U);
    }
  }
  EXPECT_EQ(alarm_widgets, 2);  // 151 alarms
}

TEST(Dashboard, RefusesMoreJobsThanOneDashboardHolds) {
  std::vector<watched_job> many;
  for (int i = 0; i < 600; ++i) many.push_back(testing::job("job" + std::to_string(i), "@hourly"));
  const auto d = publisher(many);
  const auto body = dashboard_body(d, plan_alarms(d, {}), "arn:");
  ASSERT_FALSE(body);
  EXPECT_EQ(body.error().code, core::errc::invalid_argument);
  EXPECT_NE(body.error().message.find("600 jobs"), std::string::npos);
}

TEST(Dashboard, WithoutJobsShowsTheHeartbeatOnly) {
  const auto body = body_of(publisher());
  std::vector<std::string> types;
  for (const auto& w : body["widgets"]) types.push_back(w["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"text", "alarm", "metric"}));
}

TEST(FailedRunsQuery, ReadsTheResultEventsFields) {
  const auto q = failed_runs_query("/monorepo-fem/heartbeat");
  EXPECT_TRUE(q.starts_with("SOURCE '/monorepo-fem/heartbeat' | fields @timestamp, job, outcome"))
      << q;
  EXPECT_NE(q.find("filter event = \"job_result\" and outcome in [\"failure\", \"timeout\"]"),
            std::string::npos)
      << q;
  EXPECT_NE(q.find("sort @timestamp desc"), std::string::npos);
  // Every field it shows is one a failed run's result event has (signal and reason when set).
  jobs::run_result r;
  r.result = jobs::outcome::failure;
  r.signal = 9;
  r.reason = "x";
  const auto doc = json::parse(jobs::make_result_event(r, {"h", std::nullopt}).message);
  const auto fields = q.substr(q.find("fields ") + 7, q.find('\n') - q.find("fields ") - 7);
  std::size_t at = 0;
  while (at < fields.size()) {
    auto comma = fields.find(", ", at);
    const auto field =
        fields.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!field.starts_with("@") && field != "exit_code") {
      EXPECT_TRUE(doc.contains(field)) << field;
    }
    at = comma == std::string::npos ? fields.size() : comma + 2;
  }
}

TEST(DashboardName, DefaultsToThePublishersHostAndIsValidated) {
  EXPECT_EQ(default_dashboard_name("node-7.eu"), "cloudwatch-publisher-node-7-eu");
  EXPECT_EQ(dashboard_name_problem("cloudwatch-publisher_1"), "");
  EXPECT_NE(dashboard_name_problem("with space"), "");
  EXPECT_NE(dashboard_name_problem(""), "");
  EXPECT_NE(dashboard_name_problem(std::string(256, 'a')), "");
  EXPECT_EQ(dashboard_name_problem(default_dashboard_name(std::string(300, 'h'))), "");
}

TEST(DashboardOutput, TheCommandAndTheBodyNeedTheAccount) {
  const auto d = publisher();
  const auto plan = plan_alarms(d, {});
  const auto missing = render_dashboard_command(d, plan, {"n", std::nullopt});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("--account-id"), std::string::npos);
  EXPECT_FALSE(render_dashboard_json(d, plan, {"n", std::nullopt}));
  const auto command = render_dashboard_command(d, plan, {"my-board", "123456789012"});
  ASSERT_TRUE(command);
  EXPECT_TRUE(command->starts_with(
      "aws cloudwatch put-dashboard --region ap-southeast-2 \\\n  --dashboard-name my-board \\\n"
      "  --dashboard-body '{\"widgets\":"))
      << *command;
}

TEST(DashboardOutput, TheTemplateTakesTheStacksAccountForTheAlarmArns) {
  const auto d = publisher(testing::three_jobs());
  const auto plan = plan_alarms(d, {});
  const auto t = json::parse(*render_dashboard_template(d, plan, {"board", std::nullopt}));
  const auto& r = t["Resources"]["Dashboard"];
  EXPECT_EQ(r["Type"], "AWS::CloudWatch::Dashboard");
  EXPECT_EQ(r["Properties"]["DashboardName"], "board");
  const auto& join = r["Properties"]["DashboardBody"]["Fn::Join"];
  ASSERT_EQ(join[0], "");
  // Joined with the account, the parts are the body for that account.
  std::string joined;
  int refs = 0;
  for (const auto& part : join[1]) {
    if (part.is_string()) {
      joined += part.get<std::string>();
    } else {
      EXPECT_EQ(part, json::parse(R"({"Ref":"AWS::AccountId"})"));
      joined += "123456789012";
      ++refs;
    }
  }
  EXPECT_EQ(refs, static_cast<int>(plan.alarms.size()));
  EXPECT_EQ(json::parse(joined), body_of(d));
}

}  // namespace
}  // namespace cwp::monitoring
