#include "monitoring/alarm_output.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fixtures.h"
#include "jobs/shell_words.h"
#include "monitoring/shell_quote.h"

namespace cwp::monitoring {
namespace {

using testing::publisher;

const alarm_output_options in_sydney{"ap-southeast-2", std::nullopt};

// The commands of a rendered script, as a shell would split them into words.
std::vector<std::vector<std::string>> commands_of(const std::string& script) {
  std::string joined;
  std::size_t at = 0;
  while (at < script.size()) {
    auto end = script.find('\n', at);
    if (end == std::string::npos) end = script.size();
    std::string line = script.substr(at, end - at);
    at = end + 1;
    if (line.starts_with("#") || line.empty()) {
      joined += ";";
      continue;
    }
    if (line.ends_with("\\")) {
      line.pop_back();
      joined += line;
    } else {
      joined += line + ";";
    }
  }
  std::vector<std::vector<std::string>> out;
  for (auto& words : jobs::simple_commands(joined)) {
    if (!words.empty()) out.push_back(words);
  }
  return out;
}

std::string value_of(const std::vector<std::string>& words, std::string_view option) {
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    if (words[i] == option) return words[i + 1];
  }
  return "<" + std::string(option) + " missing>";
}

TEST(ShellQuote, LeavesPlainWordsAndQuotesTheRest) {
  EXPECT_EQ(shell_quote("CloudWatchPublisher"), "CloudWatchPublisher");
  EXPECT_EQ(shell_quote("arn:aws:sns:ap-southeast-2:123456789012:ops"),
            "arn:aws:sns:ap-southeast-2:123456789012:ops");
  EXPECT_EQ(shell_quote("/monorepo-fem/heartbeat"), "/monorepo-fem/heartbeat");
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$HOME `x` \"y\" *"), "'$HOME `x` \"y\" *'");
}

TEST(AlarmCommands, OnePutMetricAlarmPerAlarmWithEveryParameter) {
  const auto plan = plan_alarms(publisher(testing::three_jobs()), {});
  const auto script = render_alarm_commands(plan, in_sydney);
  const auto commands = commands_of(script);
  ASSERT_EQ(commands.size(), plan.alarms.size()) << script;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const auto& words = commands[i];
    const auto& a = plan.alarms[i];
    ASSERT_GE(words.size(), 3U);
    EXPECT_EQ(words[0], "aws");
    EXPECT_EQ(words[1], "cloudwatch");
    EXPECT_EQ(words[2], "put-metric-alarm");
    EXPECT_EQ(value_of(words, "--region"), "ap-southeast-2");
    EXPECT_EQ(value_of(words, "--alarm-name"), a.name);
    EXPECT_EQ(value_of(words, "--alarm-description"), a.description);
    EXPECT_EQ(value_of(words, "--namespace"), "CloudWatchPublisher");
    EXPECT_EQ(value_of(words, "--metric-name"), a.metric_name);
    const auto dims = nlohmann::json::parse(value_of(words, "--dimensions"));
    ASSERT_EQ(dims.size(), a.dimensions.size());
    EXPECT_EQ(dims.back()["Name"], a.dimensions.back().name);
    EXPECT_EQ(dims.back()["Value"], a.dimensions.back().value);
    EXPECT_EQ(value_of(words, "--statistic"), "Sum");
    EXPECT_EQ(value_of(words, "--period"), std::to_string(a.window.period.count()));
    EXPECT_EQ(value_of(words, "--evaluation-periods"), std::to_string(a.window.evaluation_periods));
    EXPECT_EQ(value_of(words, "--datapoints-to-alarm"),
              std::to_string(a.window.evaluation_periods));
    EXPECT_EQ(value_of(words, "--threshold"), "1");
    EXPECT_EQ(value_of(words, "--comparison-operator"), "LessThanThreshold");
    EXPECT_EQ(value_of(words, "--treat-missing-data"), "breaching");
    EXPECT_EQ(std::count(words.begin(), words.end(), "--alarm-actions"), 0);
  }
}

TEST(AlarmCommands, QuoteWhatTheShellWouldReadAndNotifyTheTopicWhenGiven) {
  auto d = publisher({testing::job("it's-a-job", "@hourly")});
  d.emf.dimensions[1].value = "node 7; rm -rf $HOME";
  const auto plan = plan_alarms(d, {});
  const std::string topic = "arn:aws:sns:ap-southeast-2:123456789012:ops";
  const auto commands = commands_of(render_alarm_commands(plan, {"ap-southeast-2", topic}));
  ASSERT_EQ(commands.size(), 2U);
  EXPECT_EQ(value_of(commands[1], "--alarm-name"), plan.alarms[1].name);
  EXPECT_NE(value_of(commands[1], "--alarm-name").find("node 7; rm -rf $HOME"), std::string::npos);
  EXPECT_EQ(value_of(commands[1], "--alarm-actions"), topic);
  EXPECT_EQ(value_of(commands[1], "--ok-actions"), topic);
}

TEST(AlarmCommands, ListWhatCouldNotBeWatchedAsComments) {
  const auto plan = plan_alarms(publisher({testing::job("weekly", "@weekly")}), {});
  const auto script = render_alarm_commands(plan, in_sydney);
  EXPECT_NE(script.find("\n# no alarm for job weekly"), std::string::npos) << script;
  EXPECT_EQ(commands_of(script).size(), 1U);
}

TEST(AlarmTemplate, HasOneCloudWatchAlarmResourcePerAlarm) {
  const auto plan = plan_alarms(publisher(testing::three_jobs()), {});
  const auto t = nlohmann::json::parse(render_alarm_template(plan, in_sydney));
  EXPECT_EQ(t["AWSTemplateFormatVersion"], "2010-09-09");
  EXPECT_EQ(t["Parameters"]["AlarmTopicArn"]["Default"], "");
  ASSERT_EQ(t["Resources"].size(), plan.alarms.size());
  for (const auto& a : plan.alarms) {
    const auto& r = t["Resources"][a.logical_id];
    EXPECT_EQ(r["Type"], "AWS::CloudWatch::Alarm");
    const auto& p = r["Properties"];
    EXPECT_EQ(p["AlarmName"], a.name);
    EXPECT_EQ(p["MetricName"], a.metric_name);
    EXPECT_EQ(p["Namespace"], a.metric_namespace);
    EXPECT_EQ(p["Dimensions"].size(), a.dimensions.size());
    EXPECT_EQ(p["Period"], a.window.period.count());
    EXPECT_EQ(p["EvaluationPeriods"], a.window.evaluation_periods);
    EXPECT_EQ(p["DatapointsToAlarm"], a.window.evaluation_periods);
    EXPECT_EQ(p["Statistic"], "Sum");
    EXPECT_EQ(p["Threshold"], 1);
    EXPECT_EQ(p["ComparisonOperator"], "LessThanThreshold");
    EXPECT_EQ(p["TreatMissingData"], "breaching");
    EXPECT_EQ(p["AlarmActions"], nlohmann::json::parse(
                                     R"({"Fn::If":["HasTopic",[{"Ref":"AlarmTopicArn"}],
                                         {"Ref":"AWS::NoValue"}]})"));
  }
  EXPECT_EQ(t["Conditions"]["HasTopic"],
            nlohmann::json::parse(R"({"Fn::Not":[{"Fn::Equals":[{"Ref":"AlarmTopicArn"},""]}]})"));
}

TEST(AlarmTemplate, TheTopicIsTheParametersDefault) {
  const auto plan = plan_alarms(publisher(), {});
  const auto t = nlohmann::json::parse(
      render_alarm_template(plan, {"ap-southeast-2", "arn:aws:sns:ap-southeast-2:1:t"}));
  EXPECT_EQ(t["Parameters"]["AlarmTopicArn"]["Default"], "arn:aws:sns:ap-southeast-2:1:t");
}

}  // namespace
}  // namespace cwp::monitoring
