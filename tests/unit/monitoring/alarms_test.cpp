#include "monitoring/alarms.h"

#include <gtest/gtest.h>

#include <set>

#include "fixtures.h"

namespace cwp::monitoring {
namespace {

using namespace std::chrono_literals;
using testing::job;
using testing::publisher;

const alarm_spec& only(const alarm_plan& plan, std::string_view job_name) {
  for (const auto& a : plan.alarms) {
    if (a.job == job_name) return a;
  }
  ADD_FAILURE() << "no alarm for '" << job_name << "'";
  return plan.alarms.front();
}

TEST(HeartbeatAlarm, WatchesTheHeartbeatMetricOfThisPublisher) {
  const auto plan = plan_alarms(publisher(), {});
  ASSERT_EQ(plan.alarms.size(), 1U);
  const auto& a = plan.alarms[0];
  EXPECT_EQ(
      a.name,
      "cloudwatch-publisher heartbeat missing (LogGroup=/monorepo-fem/heartbeat, Host=node-7)");
  EXPECT_EQ(a.logical_id, "HeartbeatAlarm");
  EXPECT_EQ(a.metric_namespace, "CloudWatchPublisher");
  EXPECT_EQ(a.metric_name, "Heartbeat");
  ASSERT_EQ(a.dimensions.size(), 2U);
  EXPECT_EQ(a.dimensions[0].name, "LogGroup");
  EXPECT_EQ(a.dimensions[1].value, "node-7");
  EXPECT_TRUE(plan.warnings.empty());
}

TEST(HeartbeatAlarm, WaitsTheLongestGapPlusSplayPlusGrace) {
  auto d = publisher();
  // Every minute + 5 minutes of grace: 6 one-minute periods.
  EXPECT_EQ(plan_alarms(d, {}).alarms[0].window.total(), 6min);
  d.heartbeat_splay = 30s;
  EXPECT_EQ(plan_alarms(d, {}).alarms[0].window.total(), 7min);  // 6m30s, in whole minutes
  EXPECT_EQ(plan_alarms(d, {1min}).alarms[0].window.total(), 3min);
  d.heartbeat_schedule = testing::cron("@hourly");
  d.heartbeat_splay = 0ms;
  const auto a = plan_alarms(d, {}).alarms[0];
  EXPECT_EQ(a.window.period, 60s);
  EXPECT_EQ(a.window.evaluation_periods, 65);
  EXPECT_NE(a.description.find("1h5m"), std::string::npos) << a.description;
}

TEST(JobAlarm, WatchesJobSuccessUnderTheDimensionsPlusJob) {
  const auto plan = plan_alarms(publisher(testing::three_jobs()), {});
  ASSERT_EQ(plan.alarms.size(), 4U);
  const auto& a = only(plan, "backup");
  EXPECT_EQ(a.name,
            "cloudwatch-publisher job backup not succeeding (LogGroup=/monorepo-fem/heartbeat, "
            "Host=node-7)");
  EXPECT_EQ(a.metric_name, "JobSuccess");
  ASSERT_EQ(a.dimensions.size(), 3U);
  EXPECT_EQ(a.dimensions[2].name, "Job");
  EXPECT_EQ(a.dimensions[2].value, "backup");
  EXPECT_EQ(a.logical_id, "JobBackupAlarm");
}

TEST(JobAlarm, WaitsTheLongestGapPlusTheTimeoutPlusGrace) {
  const auto plan = plan_alarms(publisher(testing::three_jobs()), {});
  // Daily with a 10-minute timeout: 24h10m + 5m grace is over a day, so one-hour periods.
  const auto& daily = only(plan, "backup").window;
  EXPECT_EQ(daily.period, 1h);
  EXPECT_EQ(daily.evaluation_periods, 25);
  // Hourly without a timeout: 1h + 5m.
  EXPECT_EQ(only(plan, "cleanup").window.total(), 65min);
  // Every 5 minutes with a 4-minute timeout: 5m + 4m + 5m.
  EXPECT_EQ(only(plan, "sync-orders").window.total(), 14min);
  EXPECT_EQ(only(plan, "sync-orders").window.period, 1min);
  // Office hours: the weekend is the longest gap.
  const auto office = plan_alarms(publisher({job("report", "0 9-17 * * MON-FRI")}), {});
  EXPECT_EQ(only(office, "report").window.total(), 65h);
}

TEST(JobAlarm, ASchedulePastSevenDaysGetsAWarningAndNoAlarm) {
  const auto plan = plan_alarms(
      publisher({job("weekly", "@weekly"), job("monthly", "@monthly"), job("daily", "@daily")}),
      {});
  ASSERT_EQ(plan.alarms.size(), 2U);  // the heartbeat's and the daily job's
  EXPECT_EQ(plan.alarms[1].job, "daily");
  ASSERT_EQ(plan.warnings.size(), 2U);
  EXPECT_NE(plan.warnings[0].find("no alarm for job weekly (\"@weekly\")"), std::string::npos)
      << plan.warnings[0];
  EXPECT_NE(plan.warnings[0].find("at most 7 days"), std::string::npos);
  EXPECT_NE(plan.warnings[1].find("job monthly"), std::string::npos);
  // Without grace a weekly job fits exactly.
  EXPECT_EQ(plan_alarms(publisher({job("weekly", "@weekly")}), {0s}).alarms.size(), 2U);
}

TEST(HeartbeatAlarm, AWeeklyHeartbeatGetsAWarningAndNoAlarm) {
  auto d = publisher({job("daily", "@daily")});
  d.heartbeat_schedule = testing::cron("@weekly");
  const auto plan = plan_alarms(d, {});
  ASSERT_EQ(plan.alarms.size(), 1U);
  EXPECT_EQ(plan.alarms[0].job, "daily");
  ASSERT_EQ(plan.warnings.size(), 1U);
  EXPECT_NE(plan.warnings[0].find("no heartbeat alarm"), std::string::npos);
}

TEST(JobAlarm, LogicalIdsDependOnNamesOnlyAndStayUnique) {
  const auto plan = plan_alarms(publisher({job("backup-1", "@daily"), job("backup1", "@daily"),
                                           job("sync.orders_eu", "@hourly")}),
                                {});
  std::set<std::string> ids;
  for (const auto& a : plan.alarms) {
    EXPECT_TRUE(std::all_of(a.logical_id.begin(), a.logical_id.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c));
    })) << a.logical_id;
    ids.insert(a.logical_id);
  }
  EXPECT_EQ(ids.size(), plan.alarms.size());
  EXPECT_EQ(only(plan, "sync.orders_eu").logical_id, "JobSyncOrdersEuAlarm");
  // Reordering the crontab renames nothing.
  const auto reordered =
      plan_alarms(publisher({job("sync.orders_eu", "@hourly"), job("backup1", "@daily"),
                             job("backup-1", "@daily")}),
                  {});
  EXPECT_EQ(only(reordered, "backup-1").logical_id, only(plan, "backup-1").logical_id);
  EXPECT_EQ(only(reordered, "backup1").logical_id, only(plan, "backup1").logical_id);
}

TEST(AlarmNames, StayWithinCloudWatchsLimitAndUnique) {
  cloudwatch::emf_settings emf{"NS", {{"Cluster", std::string(300, 'c') + "-a"}}};
  auto other = emf;
  other.dimensions[0].value = std::string(300, 'c') + "-b";
  const auto a = heartbeat_alarm_name(emf);
  const auto b = heartbeat_alarm_name(other);
  EXPECT_LE(a.size(), max_alarm_name_length);
  EXPECT_NE(a, b);
  EXPECT_LE(job_alarm_name(emf, std::string(64, 'j')).size(), max_alarm_name_length);
  // Control characters from a dimension value do not reach the name.
  EXPECT_EQ(heartbeat_alarm_name({"NS", {{"Host", "a\tb"}}}),
            "cloudwatch-publisher heartbeat missing (Host=a?b)");
}

TEST(AlarmDescriptions, SayHowTheWindowWasDerived) {
  const auto plan = plan_alarms(publisher(testing::three_jobs()), {});
  const auto& d = only(plan, "backup").description;
  EXPECT_NE(d.find("\"0 3 * * *\""), std::string::npos) << d;
  EXPECT_NE(d.find("24h between runs"), std::string::npos) << d;
  EXPECT_NE(d.find("timeout 10m"), std::string::npos) << d;
  EXPECT_NE(d.find("grace 5m"), std::string::npos) << d;
  EXPECT_NE(d.find("25h"), std::string::npos) << d;
  for (const auto& a : plan.alarms) EXPECT_LE(a.description.size(), 1024U);
}

TEST(Partition, FollowsTheRegion) {
  EXPECT_EQ(partition_of("ap-southeast-2"), "aws");
  EXPECT_EQ(partition_of("cn-north-1"), "aws-cn");
  EXPECT_EQ(partition_of("us-gov-west-1"), "aws-us-gov");
}

}  // namespace
}  // namespace cwp::monitoring
