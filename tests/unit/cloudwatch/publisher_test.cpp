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

const char* const put = "PutLogEvents";
const char* const new_stream = "CreateLogStream";
const char* const new_group = "CreateLogGroup";

TEST_F(Publisher, AnExistingStreamCostsOnlyPutLogEvents) {
  transport.respond(200, "{}").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("s", one));
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{put, put}));
  EXPECT_FALSE(sink.contains("Created"));
}

TEST_F(Publisher, ANewGroupCostsOneRoundOfCreatesThenOnlyPuts) {
  transport
      .respond(400, "{}", error("ResourceNotFoundException"))  // no stream
      .respond(400, "{}", error("ResourceNotFoundException"))  // no group either
      .respond(200, "")
      .respond(200, "")
      .respond(200, "{}")
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("s", one));
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(),
            (std::vector<std::string>{put, new_stream, new_group, new_stream, put, put}));
  EXPECT_TRUE(sink.contains("Created log group"));
  EXPECT_TRUE(sink.contains("Created log stream"));
}

TEST_F(Publisher, AStreamAnotherHostCreatedFirstIsFine) {
  transport.respond(400, "{}", error("ResourceNotFoundException"))
      .respond(400, "{}", error("ResourceAlreadyExistsException"))
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  const auto r = pub.publish("s", one);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->accepted, 1U);
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream, put}));
  EXPECT_FALSE(sink.contains("Created"));
}

TEST_F(Publisher, ANewDaysStreamIsCreatedOnlyWhenTheServiceSaysItIsMissing) {
  transport.respond(200, "{}")
      .respond(400, "{}", error("ResourceNotFoundException"))
      .respond(200, "")
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-01", one));
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-02", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{put, put, new_stream, put}));
}

TEST_F(Publisher, RecreatesAGroupDeletedBehindItsBackAndRetriesOnce) {
  transport.respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("s", one));
  transport.respond(400, "{}", error("ResourceNotFoundException"))
      .respond(400, "{}", error("ResourceNotFoundException"))
      .respond(200, "")
      .respond(200, "")
      .respond(200, "{}");
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(),
            (std::vector<std::string>{put, put, new_stream, new_group, new_stream, put}));
}

TEST_F(Publisher, AStreamStillMissingAfterItsCreationIsAnErrorNotALoop) {
  transport.respond(400, "{}", error("ResourceNotFoundException"))
      .respond(200, "")
      .respond(400, "{}", error("ResourceNotFoundException"));
  publisher pub(logs, log, {.log_group = "/g"});
  const auto r = pub.publish("s", one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().remote_code, "ResourceNotFoundException");
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream, put}));
}

TEST_F(Publisher, PrepareStreamCreatesAheadWithoutPublishing) {
  transport.respond(200, "").respond(400, "{}", error("ResourceAlreadyExistsException"));
  publisher pub(logs, log, {.log_group = "/g"});
  EXPECT_EQ(pub.prepare_stream("heartbeat-2026-01-02"), true);
  EXPECT_EQ(pub.prepare_stream("heartbeat-2026-01-02"), false);  // exists: success, not created
  EXPECT_EQ(targets(), (std::vector<std::string>{new_stream, new_stream}));
}

TEST_F(Publisher, SetsRetentionOnlyWhenItCreatedTheGroup) {
  testing::respond_missing_stream_and_group(transport);
  transport.respond(200, "").respond(200, "").respond(200, "").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .retention_days = 14});
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream, new_group, "PutRetentionPolicy",
                                                 new_stream, put}));
}

TEST_F(Publisher, NeverSetsRetentionOnAGroupThatAlreadyExisted) {
  testing::respond_missing_stream_and_group(
      transport);  // the group appears between our two calls (another host)
  transport.respond(400, "{}", error("ResourceAlreadyExistsException"))
      .respond(200, "")
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .retention_days = 14});
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream, new_group, new_stream, put}));
}

TEST_F(Publisher, RetentionRequestNamesTheGroupAndDaysAndIsLogged) {
  testing::respond_missing_stream_and_group(transport);
  transport.respond(200, "").respond(200, "").respond(200, "").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .retention_days = 30});
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(transport.requests().at(3).body, R"({"logGroupName":"/g","retentionInDays":30})");
  EXPECT_TRUE(sink.contains("Set the log group's retention to 30 days"));
}

TEST_F(Publisher, AFailureToSetRetentionIsAnErrorLineButHeartbeatsStillGoOut) {
  testing::respond_missing_stream_and_group(transport);
  transport.respond(200, "")
      .respond(400, R"({"message":"not authorized"})", error("AccessDeniedException"))
      .respond(200, "")
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .retention_days = 7});
  const auto r = pub.publish("s", one);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->accepted, 1U);
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream, new_group, "PutRetentionPolicy",
                                                 new_stream, put}));
  EXPECT_TRUE(sink.contains("Could not set the log group's retention"));
  EXPECT_TRUE(sink.contains("AccessDeniedException"));
}

TEST_F(Publisher, EmfBatchesCarryTheEmfHeaderAndPlainBatchesDoNot) {
  transport.respond(400, "{}", error("ResourceNotFoundException"))
      .respond(200, "")
      .respond(200, "{}")
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("s", one, /*emf=*/true));
  ASSERT_TRUE(pub.publish("s", one, /*emf=*/false));
  const auto& sent = transport.requests();
  ASSERT_EQ(sent.size(), 4U);
  EXPECT_EQ(sent[0].find_header("x-amzn-logs-format"), "json/emf");
  EXPECT_EQ(sent[2].find_header("x-amzn-logs-format"), "json/emf");  // the retry too
  EXPECT_EQ(sent[3].find_header("x-amzn-logs-format"), std::nullopt);
  // Only PutLogEvents is marked: the header means nothing to the create calls.
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
  transport.respond(400, R"({"message":"not authorized"})", error("AccessDeniedException"));
  publisher pub(logs, log, {.log_group = "/g"});
  const auto r = pub.publish("s", one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().remote_code, "AccessDeniedException");
  EXPECT_EQ(targets(), (std::vector<std::string>{put}));
}

TEST_F(Publisher, AGroupItCreatesGetsTheClassKeyAndTagsAndAnExistingOneIsLeftAlone) {
  log_group_options group;
  group.log_class = log_group_class::infrequent_access;
  group.kms_key_id = "arn:aws:kms:eu-west-1:123456789012:key/k-1";
  group.tags = {{"env", "prod"}, {"team", "platform"}};
  testing::respond_missing_stream_and_group(transport);
  transport.respond(200, "").respond(200, "").respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g", .group = group});
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(transport.requests().at(2).body,
            R"({"logGroupName":"/g","logGroupClass":"INFREQUENT_ACCESS",)"
            R"("kmsKeyId":"arn:aws:kms:eu-west-1:123456789012:key/k-1",)"
            R"("tags":{"env":"prod","team":"platform"}})");
  // The group exists (another host made it between our calls): no retention, no tagging.
  testing::respond_missing_stream_and_group(transport);
  transport.respond(400, "{}", error("ResourceAlreadyExistsException"))
      .respond(200, "")
      .respond(200, "{}");
  publisher other(logs, log, {.log_group = "/g", .retention_days = 30, .group = group});
  ASSERT_TRUE(other.publish("s", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream, new_group, new_stream, put, put,
                                                 new_stream, new_group, new_stream, put}));
}

TEST_F(Publisher, AnExistingGroupNeedsNoCreateLogGroupPermission) {
  // Least privilege: a policy for a pre-created group grants CreateLogStream and PutLogEvents.
  transport.respond(400, "{}", error("ResourceNotFoundException"))
      .respond(200, "")
      .respond(200, "{}")
      .respond(400, "{}", error("ResourceNotFoundException"))
      .respond(200, "")
      .respond(200, "{}");
  publisher pub(logs, log, {.log_group = "/g"});
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-01", one));
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-02", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream, put, put, new_stream, put}));
}

TEST_F(Publisher, WithCreateGroupOffAMissingGroupIsAnErrorSayingHowToFixItAndIsTriedAgain) {
  testing::respond_missing_stream_and_group(transport);
  publisher pub(logs, log, {.log_group = "/g", .create_group = false});
  const auto r = pub.publish("s", one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().remote_code, "ResourceNotFoundException");
  EXPECT_NE(r.error().message.find("the log group /g does not exist and creating it is turned off "
                                   "(CWP_CREATE_LOG_GROUP=false): create it (aws logs "
                                   "create-log-group --log-group-name /g)"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream}));  // never CreateLogGroup
  // Once the group exists, the next delivery goes through.
  transport.respond(400, "{}", error("ResourceNotFoundException"))
      .respond(200, "")
      .respond(200, "{}");
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream, put, new_stream, put}));
}

TEST_F(Publisher, CreateLogGroupDeniedForAMissingGroupIsAnErrorNamingThePermission) {
  testing::respond_missing_stream_and_group(transport);
  transport.respond(400, R"({"message":"not authorized"})", error("AccessDeniedException"));
  publisher pub(logs, log, {.log_group = "/g"});
  const auto r = pub.publish("s", one);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("does not exist and we are not allowed to create it "
                                   "(logs:CreateLogGroup)"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(targets(), (std::vector<std::string>{put, new_stream, new_group}));
}

}  // namespace
}  // namespace cwp::cloudwatch
