#include "cloudwatch/logs_client.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/credentials/environment_provider.h"
#include "cloudwatch/event_json.h"
#include "support/fake_clock.h"
#include "support/scripted_logs.h"
#include "support/scripted_transport.h"

namespace cwp::cloudwatch {
namespace {

TEST(LogsRequests, EveryByteThatNeedsALookIsSeenWhereverItFallsInAWord) {
  // The escaping reads eight bytes at a time: each special byte, at every offset of texts
  // around that width, is escaped, validated or replaced exactly as the JSON library does.
  const std::vector<std::string> specials{"\"",   "\\",           "\n",          "\x01",
                                          "\x1f", "\x7f",         "\xC3\xA9",    "\xE2\x82\xAC",
                                          "\xC3", "\xF0\x9F\x98", "\xED\xA0\x80"};
  for (const auto& special : specials) {
    for (std::size_t length = 0; length <= 20; ++length) {
      for (std::size_t at = 0; at <= length; ++at) {
        std::string text(length, 'a');
        text.insert(at, special);
        std::string ours;
        append_json_string(ours, text);
        EXPECT_EQ(ours, nlohmann::json(text).dump(-1, ' ', false,
                                                  nlohmann::json::error_handler_t::replace))
            << "special "
            << nlohmann::json(special).dump(-1, ' ', true, nlohmann::json::error_handler_t::replace)
            << " at " << at << " of " << length;
      }
    }
  }
}

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

TEST(LogsRequests, ThePutLogEventsBodyIsByteForByteWhatTheJsonLibraryWrites) {
  // Written directly for speed; the reference is nlohmann::json's compact dump.
  std::string controls;
  for (char c = 1; c < 0x20; ++c) controls.push_back(c);
  const std::vector<log_event> events{{0, "plain"},
                                      {-5, "quote \" backslash \\ slash / tab \t"},
                                      {1'767'268'800'123, controls + "\x7f"},
                                      {2, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"},
                                      {3, std::string("nul\0inside", 10)},
                                      {4, "bad \xC3 \xFF\xFE end"}};
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& e : events)
    list.push_back({{"timestamp", e.timestamp_ms}, {"message", e.message}});
  const nlohmann::ordered_json doc{
      {"logGroupName", "/g \"x\""}, {"logStreamName", "s\n"}, {"logEvents", list}};
  EXPECT_EQ(put_log_events_body("/g \"x\"", "s\n", events),
            doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
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

TEST(DescribeRequests, AskForTheLargestPageOfPrefixMatches) {
  EXPECT_EQ(describe_log_groups_body("/g", ""), R"({"logGroupNamePrefix":"/g","limit":50})");
  EXPECT_EQ(describe_log_streams_body("/g", "s", "t1"),
            R"({"logGroupName":"/g","logStreamNamePrefix":"s","limit":50,"nextToken":"t1"})");
}

TEST(DescribeResponses, ListNamesAndTheNextToken) {
  const auto groups = parse_describe_log_groups(
      R"({"logGroups":[{"logGroupName":"/g","arn":"x"},{"logGroupName":"/g2"}],"nextToken":"n"})");
  ASSERT_TRUE(groups);
  EXPECT_EQ(groups->names, (std::vector<std::string>{"/g", "/g2"}));
  EXPECT_EQ(groups->next_token, "n");
  const auto streams = parse_describe_log_streams(R"({"logStreams":[]})");
  ASSERT_TRUE(streams);
  EXPECT_TRUE(streams->names.empty());
  EXPECT_TRUE(streams->next_token.empty());
  EXPECT_EQ(parse_describe_log_groups("<html>").error().code, core::errc::parse);
}

class Describe : public ::testing::Test, protected testing::scripted_logs {
 protected:
  Describe() {}
};

TEST_F(Describe, GroupExistsOnlyOnAnExactNameMatch) {
  transport.respond(200, R"({"logGroups":[{"logGroupName":"/g/longer"}]})");
  EXPECT_EQ(logs.log_group_exists("/g"), false);
  transport.respond(200, R"({"logGroups":[{"logGroupName":"/g"}]})");
  EXPECT_EQ(logs.log_group_exists("/g"), true);
  EXPECT_EQ(transport.requests().back().find_header("X-Amz-Target"),
            "Logs_20140328.DescribeLogGroups");
}

TEST_F(Describe, FollowsNextTokenUntilTheNameShowsUp) {
  transport.respond(200, R"({"logStreams":[{"logStreamName":"s-1"}],"nextToken":"p2"})")
      .respond(200, R"({"logStreams":[{"logStreamName":"s"}]})");
  EXPECT_EQ(logs.log_stream_exists("/g", "s"), true);
  ASSERT_EQ(transport.requests().size(), 2U);
  EXPECT_EQ(nlohmann::json::parse(transport.requests()[1].body)["nextToken"], "p2");
}

TEST_F(Describe, StreamOfAMissingGroupDoesNotExist) {
  transport.respond(400, R"({"message":"The specified log group does not exist."})",
                    {{"x-amzn-ErrorType", "ResourceNotFoundException"}});
  EXPECT_EQ(logs.log_stream_exists("/g", "s"), false);
}

TEST(LogsRequests, CreateLogGroupCarriesOnlyTheOptionsThatAreSet) {
  EXPECT_EQ(create_log_group_body("/g", {}), R"({"logGroupName":"/g"})");
  log_group_options standard;
  standard.log_class = log_group_class::standard;
  EXPECT_EQ(create_log_group_body("/g", standard),
            R"({"logGroupName":"/g","logGroupClass":"STANDARD"})");
  log_group_options tagged;
  tagged.tags = {{"a", ""}};
  EXPECT_EQ(create_log_group_body("/g", tagged), R"({"logGroupName":"/g","tags":{"a":""}})");
}

TEST_F(Describe, AGroupsClassIsReadAndStandardWhenTheAnswerHasNone) {
  transport.respond(200, R"({"logGroups":[{"logGroupName":"/g/x","logGroupClass":"STANDARD"},)"
                         R"({"logGroupName":"/g","logGroupClass":"INFREQUENT_ACCESS",)"
                         R"("kmsKeyId":"arn:aws:kms:r:1:key/k"}]})");
  auto info = logs.describe_log_group("/g");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->log_class, "INFREQUENT_ACCESS");
  EXPECT_EQ((*info)->kms_key_id, "arn:aws:kms:r:1:key/k");
  transport.respond(200, R"({"logGroups":[{"logGroupName":"/g"}]})");
  info = logs.describe_log_group("/g");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->log_class, "STANDARD");  // older services and moto leave it out
  transport.respond(200, R"({"logGroups":[]})");
  info = logs.describe_log_group("/g");
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->has_value());
}

TEST_F(Describe, AccessDeniedIsAnErrorNotAnAnswer) {
  transport.respond(403, R"(<ErrorResponse><Error><Code>AccessDenied</Code>
<Message>not authorized to perform: logs:DescribeLogGroups</Message></Error></ErrorResponse>)");
  const auto r = logs.log_group_exists("/g");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().remote_code, "AccessDenied");
}

}  // namespace
}  // namespace cwp::cloudwatch
