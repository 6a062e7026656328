#include "cloudwatch/heartbeat.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cwp::cloudwatch {
namespace {

using namespace std::chrono;

TEST(Heartbeat, EventTimestampIsTheScheduledTime) {
  const sys_time<system_clock::duration> started = sys_days{2026y / March / 1};
  const heartbeat_source src{"host-a", "1.2.3", "*/1 * * * *", "00112233aabbccdd", started, {}};
  const auto e = make_heartbeat_event(src, {7, started + 90s});
  EXPECT_EQ(e.timestamp_ms,
            duration_cast<milliseconds>((started + 90s).time_since_epoch()).count());
  const auto j = nlohmann::json::parse(e.message);
  EXPECT_EQ(j["event"], "heartbeat");
  EXPECT_EQ(j["status"], "alive");
  EXPECT_EQ(j["host"], "host-a");
  EXPECT_EQ(j["version"], "1.2.3");
  EXPECT_EQ(j["sequence"], 7);
  EXPECT_EQ(j["id"], "00112233aabbccdd-7");
  EXPECT_EQ(j["timestamp"], "2026-03-01T00:01:30Z");
  EXPECT_EQ(j["uptime_s"], 90);
  EXPECT_EQ(j["schedule"], "*/1 * * * *");
}

TEST(Heartbeat, WithoutEmfTheDocumentHasNoMetricMembers) {
  const sys_time<system_clock::duration> started = sys_days{2026y / March / 1};
  const heartbeat_source src{"host-a", "1.2.3", "@hourly", "00112233aabbccdd", started, {}};
  const auto j = nlohmann::json::parse(make_heartbeat_event(src, {1, started}).message);
  EXPECT_FALSE(j.contains("_aws"));
  EXPECT_FALSE(j.contains("Heartbeat"));
}

TEST(Heartbeat, WithEmfTheHeartbeatIsAValidEmfDocumentAndStillAHeartbeat) {
  const sys_time<system_clock::duration> started = sys_days{2026y / March / 1};
  const heartbeat_source src{
      "node-7",
      "1.2.3",
      "*/1 * * * *",
      "00112233aabbccdd",
      started,
      emf_settings{"CloudWatchPublisher",
                   {{"LogGroup", "/monorepo-fem/heartbeat"}, {"Host", "node-7"}}}};
  const auto e = make_heartbeat_event(src, {3, started + 120s});
  const auto j = nlohmann::json::parse(e.message);
  // Every heartbeat field is kept, so readers of plain heartbeats see no difference.
  EXPECT_EQ(j["event"], "heartbeat");
  EXPECT_EQ(j["id"], "00112233aabbccdd-3");
  EXPECT_EQ(j["host"], "node-7");
  EXPECT_EQ(j["sequence"], 3);
  // EMF: the metric's timestamp is the event's (the scheduled time), value 1 per heartbeat.
  EXPECT_EQ(j["_aws"]["Timestamp"], e.timestamp_ms);
  EXPECT_EQ(j["Heartbeat"], 1);
  const auto& directive = j["_aws"]["CloudWatchMetrics"][0];
  EXPECT_EQ(directive["Namespace"], "CloudWatchPublisher");
  for (const auto& name : directive["Dimensions"][0]) {
    ASSERT_TRUE(j.contains(name.get<std::string>())) << name;
    EXPECT_TRUE(j[name.get<std::string>()].is_string()) << name;
  }
  EXPECT_EQ(j["LogGroup"], "/monorepo-fem/heartbeat");
  EXPECT_EQ(j["Host"], "node-7");
}

TEST(Heartbeat, BootIdsAreSixteenHexDigitsAndDiffer) {
  const auto a = new_boot_id();
  const auto b = new_boot_id();
  EXPECT_EQ(a.size(), 16U);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace cwp::cloudwatch
