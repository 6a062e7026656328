#include "cloudwatch/publisher.h"

#include <gtest/gtest.h>

#include "aws/credentials/environment_provider.h"
#include "support/capturing_sink.h"
#include "support/fake_clock.h"
#include "support/scripted_logs.h"
#include "support/scripted_transport.h"

namespace cwp::cloudwatch {
namespace {

class Publisher : public ::testing::Test, protected testing::scripted_logs {
 protected:
  Publisher() {}

  std::vector<std::string> targets() const {
    std::vector<std::string> out;
    for (const auto& r : transport.requests()) {
      out.push_back(r.find_header("X-Amz-Target")->substr(std::string("Logs_20140328.").size()));
    }
    return out;
  }

  static std::vector<http::header> error(const char* code) { return {{"x-amzn-ErrorType", code}}; }

  testing::capturing_sink sink;
  logging::logger log{sink, clock, "cloudwatch-publisher"};
  const std::vector<log_event> one{{1, "hb"}};
};

TEST_F(Publisher, CreatesGroupAndStreamOnceThenOnlyPuts) {
  transport.respond(200, "").respond(200, "").respond(200, "{}").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("s", one));
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{"CreateLogGroup", "CreateLogStream",
                                                 "PutLogEvents", "PutLogEvents"}));
}

TEST_F(Publisher, AlreadyExistingGroupAndStreamAreFine) {
  transport.respond(400, "{}", error("ResourceAlreadyExistsException"))
      .respond(400, "{}", error("ResourceAlreadyExistsException"))
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  const auto r = pub.publish("s", one);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->accepted, 1U);
  EXPECT_FALSE(sink.contains("Created"));
}

TEST_F(Publisher, ANewStreamNameIsCreatedButTheGroupIsNotAgain) {
  transport.respond(200, "").respond(200, "").respond(200, "{}").respond(200, "").respond(200,
                                                                                          "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-01", one));
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-02", one));
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"CreateLogGroup", "CreateLogStream", "PutLogEvents",
                                      "CreateLogStream", "PutLogEvents"}));
}

TEST_F(Publisher, RecreatesAStreamDeletedBehindItsBackAndRetriesOnce) {
  transport.respond(200, "").respond(200, "").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("s", one));
  transport.respond(400, "{}", error("ResourceNotFoundException"))
      .respond(200, "")
      .respond(200, "")
      .respond(200, "{}");
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets().size(), 7U);
  EXPECT_EQ(targets().back(), "PutLogEvents");
}

TEST_F(Publisher, SetsRetentionOnlyWhenItCreatedTheGroup) {
  transport.respond(200, "").respond(200, "").respond(200, "").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .retention_days = 14});
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{"CreateLogGroup", "PutRetentionPolicy",
                                                 "CreateLogStream", "PutLogEvents"}));
}

TEST_F(Publisher, NeverSetsRetentionOnAGroupThatAlreadyExisted) {
  transport.respond(400, "{}", error("ResourceAlreadyExistsException"))
      .respond(200, "")
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .retention_days = 14});
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"CreateLogGroup", "CreateLogStream", "PutLogEvents"}));
}

TEST_F(Publisher, RetentionRequestNamesTheGroupAndDaysAndIsLogged) {
  transport.respond(200, "").respond(200, "").respond(200, "").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .retention_days = 30});
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(transport.requests().at(1).body, R"({"logGroupName":"/g","retentionInDays":30})");
  EXPECT_TRUE(sink.contains("Set the log group's retention to 30 days"));
}

TEST_F(Publisher, AFailureToSetRetentionIsAnErrorLineButHeartbeatsStillGoOut) {
  transport.respond(200, "")
      .respond(400, R"({"message":"not authorized"})", error("AccessDeniedException"))
      .respond(200, "")
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .retention_days = 7});
  const auto r = pub.publish("s", one);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->accepted, 1U);
  EXPECT_EQ(targets(), (std::vector<std::string>{"CreateLogGroup", "PutRetentionPolicy",
                                                 "CreateLogStream", "PutLogEvents"}));
  EXPECT_TRUE(sink.contains("Could not set the log group's retention"));
  EXPECT_TRUE(sink.contains("AccessDeniedException"));
}

TEST_F(Publisher, EmfBatchesCarryTheEmfHeaderAndPlainBatchesDoNot) {
  transport.respond(200, "").respond(200, "").respond(200, "{}").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("s", one, /*emf=*/true));
  ASSERT_TRUE(pub.publish("s", one, /*emf=*/false));
  const auto& sent = transport.requests();
  ASSERT_EQ(sent.size(), 4U);
  EXPECT_EQ(sent[2].find_header("x-amzn-logs-format"), "json/emf");
  EXPECT_EQ(sent[3].find_header("x-amzn-logs-format"), std::nullopt);
  // Only PutLogEvents is marked: the header means nothing to the create calls.
  EXPECT_EQ(sent[0].find_header("x-amzn-logs-format"), std::nullopt);
  EXPECT_EQ(sent[1].find_header("x-amzn-logs-format"), std::nullopt);
}

TEST(RetentionDays, AcceptsExactlyTheServicesValues) {
  for (const int days : allowed_retention_days) {
    EXPECT_EQ(parse_retention_days(std::to_string(days)), days);
  }
  for (const char* bad : {"0", "2", "8", "3654", "-1", "7d", " 7", "seven", ""}) {
    const auto r = parse_retention_days(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, core::errc::invalid_argument);
  }
  const auto r = parse_retention_days("8");
  EXPECT_NE(r.error().message.find("'8'"), std::string::npos);
  EXPECT_NE(r.error().message.find("1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, "
                                   "731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"),
            std::string::npos);
}

TEST_F(Publisher, PermissionErrorsAreReturnedNotRetried) {
  transport.respond(200, "").respond(400, R"({"message":"not authorized"})",
                                     error("AccessDeniedException"));
  publisher pub(logs, log, {.log_group = "/g"});
  const auto r = pub.publish("s", one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().remote_code, "AccessDeniedException");
  EXPECT_EQ(targets(), (std::vector<std::string>{"CreateLogGroup", "CreateLogStream"}));
}

TEST_F(Publisher, AGroupItCreatesGetsTheClassKeyAndTagsAndAnExistingOneIsLeftAlone) {
  log_group_options group;
  group.log_class = log_group_class::infrequent_access;
  group.kms_key_id = "arn:aws:kms:eu-west-1:123456789012:key/k-1";
  group.tags = {{"env", "prod"}, {"team", "platform"}};
  transport.respond(200, "").respond(200, "").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .group = group});
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(transport.requests().at(0).body,
            R"({"logGroupName":"/g","logGroupClass":"INFREQUENT_ACCESS",)"
            R"("kmsKeyId":"arn:aws:kms:eu-west-1:123456789012:key/k-1",)"
            R"("tags":{"env":"prod","team":"platform"}})");
  // The group existed: nothing but the stream and the events follows (no tagging, no key).
  transport.respond(400, "{}", error("ResourceAlreadyExistsException"))
      .respond(200, "")
      .respond(200, "{}");
  publisher other(logs, log, {.log_group = "/g", .retention_days = 30, .group = group});
  ASSERT_TRUE(other.publish("s", one));
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"CreateLogGroup", "CreateLogStream", "PutLogEvents",
                                      "CreateLogGroup", "CreateLogStream", "PutLogEvents"}));
}

TEST_F(Publisher, WithCreateGroupOffItNeverCallsCreateLogGroup) {
  transport.respond(200, "").respond(200, "{}").respond(200, "").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .create_group = false});
  ASSERT_TRUE(pub.publish("a", one));
  ASSERT_TRUE(pub.publish("b", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{"CreateLogStream", "PutLogEvents",
                                                 "CreateLogStream", "PutLogEvents"}));
}

TEST_F(Publisher, WithCreateGroupOffAMissingGroupIsAnErrorSayingHowToFixItAndIsTriedAgain) {
  transport.respond(400, R"({"message":"The specified log group does not exist."})",
                    error("ResourceNotFoundException"));
  publisher pub(logs, log, {.log_group = "/g", .create_group = false});
  const auto r = pub.publish("s", one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().remote_code, "ResourceNotFoundException");
  EXPECT_NE(r.error().message.find("the log group /g does not exist and creating it is turned off "
                                   "(CWP_CREATE_LOG_GROUP=false): create it (aws logs "
                                   "create-log-group --log-group-name /g)"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(targets(), (std::vector<std::string>{"CreateLogStream"}));
  // Once the group exists, the next delivery goes through.
  transport.respond(200, "").respond(200, "{}");
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"CreateLogStream", "CreateLogStream", "PutLogEvents"}));
}

TEST_F(Publisher, CreateLogGroupDeniedMeansTheGroupIsTakenToExist) {
  // Least privilege: a policy for a pre-created group grants CreateLogStream and PutLogEvents.
  transport.respond(400, R"({"message":"not authorized"})", error("AccessDeniedException"))
      .respond(200, "")
      .respond(200, "{}")
      .respond(200, "")
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-01", one));
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-02", one));
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"CreateLogGroup", "CreateLogStream", "PutLogEvents",
                                      "CreateLogStream", "PutLogEvents"}));
  EXPECT_TRUE(sink.contains("Not allowed to create the log group (logs:CreateLogGroup)"));
}

TEST_F(Publisher, CreateLogGroupDeniedAndTheGroupMissingIsAnErrorNamingThePermission) {
  transport.respond(400, R"({"message":"not authorized"})", error("AccessDeniedException"))
      .respond(400, R"({"message":"The specified log group does not exist."})",
               error("ResourceNotFoundException"));
  publisher pub(logs, log, {.log_group = "/g"});
  const auto r = pub.publish("s", one);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not exist and we are not allowed to create it "
                                   "(logs:CreateLogGroup)"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(targets(), (std::vector<std::string>{"CreateLogGroup", "CreateLogStream"}));
}

}  // namespace
}  // namespace cwp::cloudwatch
