#include "cloudwatch/logs_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace cwp::cloudwatch {
namespace {

TEST(LogsRequests, BuildsPutLogEventsBodyWithCamelCaseFields) {
  const std::vector<log_event> events{{1000, "a"}, {1001, "b \"q\""}};
  const auto j = nlohmann::json::parse(put_log_events_body("/g", "s", events));
  EXPECT_EQ(j["logGroupName"], "/g");
  EXPECT_EQ(j["logStreamName"], "s");
  ASSERT_EQ(j["logEvents"].size(), 2U);
  EXPECT_EQ(j["logEvents"][1]["timestamp"], 1001);
  EXPECT_EQ(j["logEvents"][1]["message"], "b \"q\"");
  EXPECT_FALSE(j.contains("sequenceToken"));
}

TEST(LogsRequests, ReplacesInvalidUtf8InsteadOfFailing) {
  const std::vector<log_event> events{{1, std::string("x\xc3")}};
  const auto j = nlohmann::json::parse(put_log_events_body("/g", "s", events));
  EXPECT_EQ(j["logEvents"][0]["message"], "x\xEF\xBF\xBD");
}

TEST(LogsRequests, BuildsCreateBodies) {
  EXPECT_EQ(create_log_group_body("/g"), R"({"logGroupName":"/g"})");
  EXPECT_EQ(create_log_stream_body("/g", "s"), R"({"logGroupName":"/g","logStreamName":"s"})");
  EXPECT_EQ(put_retention_policy_body("/g", 7), R"({"logGroupName":"/g","retentionInDays":7})");
}

TEST(PutLogEventsResponse, EmptyOrTokenOnlyMeansAllAccepted) {
  EXPECT_EQ(parse_put_log_events("", 3)->accepted, 3U);
  EXPECT_EQ(parse_put_log_events(R"({"nextSequenceToken":"49"})", 3)->accepted, 3U);
}

TEST(PutLogEventsResponse, TooOldEndIndexIsTheLastRejectedIndex) {
  const auto r =
      parse_put_log_events(R"({"rejectedLogEventsInfo":{"tooOldLogEventEndIndex":0}})", 2);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->too_old, 1U);
  EXPECT_EQ(r->accepted, 1U);
}

TEST(PutLogEventsResponse, TooNewStartIndexRejectsTheRest) {
  const auto r =
      parse_put_log_events(R"({"rejectedLogEventsInfo":{"tooNewLogEventStartIndex":1}})", 3);
  EXPECT_EQ(r->too_new, 2U);
  EXPECT_EQ(r->accepted, 1U);
}

TEST(PutLogEventsResponse, CombinedRejectionsNeverCountAnEventTwice) {
  const auto r = parse_put_log_events(
      R"({"rejectedLogEventsInfo":{"expiredLogEventEndIndex":1,"tooOldLogEventEndIndex":2,)"
      R"("tooNewLogEventStartIndex":2}})",
      4);
  EXPECT_EQ(r->expired, 2U);
  EXPECT_EQ(r->too_old, 1U);
  EXPECT_EQ(r->too_new, 1U);
  EXPECT_EQ(r->accepted, 0U);
}

TEST(PutLogEventsResponse, OutOfRangeIndexesAreClamped) {
  const auto r =
      parse_put_log_events(R"({"rejectedLogEventsInfo":{"tooOldLogEventEndIndex":99}})", 2);
  EXPECT_EQ(r->too_old, 2U);
  EXPECT_EQ(r->accepted, 0U);
}

TEST(PutLogEventsResponse, NonJsonIsAParseError) {
  const auto r = parse_put_log_events("<html>", 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::errc::parse);
}

}  // namespace
}  // namespace cwp::cloudwatch
