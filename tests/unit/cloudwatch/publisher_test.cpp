#include "cloudwatch/publisher.h"

#include <gtest/gtest.h>

#include "aws/credentials/environment_provider.h"
#include "support/capturing_sink.h"
#include "support/fake_clock.h"
#include "support/scripted_transport.h"

namespace cwp::cloudwatch {
namespace {

class Publisher : public ::testing::Test {
 protected:
  Publisher()
      : creds_(
            core::map_environment({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}})),
        client_(aws::service_client(
            aws::client_context{&transport,
                                &creds_,
                                &clock,
                                &skew_,
                                {},
                                std::make_shared<aws::retry_quota>(),
                                [] { return 0.0; },
                                {},
                                nullptr},
            aws::endpoint{*http::url::parse("http://127.0.0.1:9"), "us-east-1", "logs", "test"})) {}

  std::vector<std::string> targets() const {
    std::vector<std::string> out;
    for (const auto& r : transport.requests()) {
      out.push_back(r.find_header("X-Amz-Target")->substr(std::string("Logs_20140328.").size()));
    }
    return out;
  }

  static std::vector<http::header> error(const char* code) { return {{"x-amzn-ErrorType", code}}; }

  testing::fake_clock clock;
  testing::scripted_transport transport;
  testing::capturing_sink sink;
  logging::logger log{sink, clock, "cloudwatch-publisher"};
  aws::environment_provider creds_;
  aws::clock_skew skew_{clock};
  logs_client client_;
  const std::vector<log_event> one{{1, "hb"}};
};

TEST_F(Publisher, CreatesGroupAndStreamOnceThenOnlyPuts) {
  transport.respond(200, "").respond(200, "").respond(200, "{}").respond(200, "{}");
  publisher pub(client_, log, {"/g", std::nullopt});
  ASSERT_TRUE(pub.publish("s", one));
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{"CreateLogGroup", "CreateLogStream",
                                                 "PutLogEvents", "PutLogEvents"}));
}

TEST_F(Publisher, AlreadyExistingGroupAndStreamAreFine) {
  transport.respond(400, "{}", error("ResourceAlreadyExistsException"))
      .respond(400, "{}", error("ResourceAlreadyExistsException"))
      .respond(200, "{}");
  publisher pub(client_, log, {"/g", std::nullopt});
  const auto r = pub.publish("s", one);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->accepted, 1U);
  EXPECT_FALSE(sink.contains("Created"));
}

TEST_F(Publisher, ANewStreamNameIsCreatedButTheGroupIsNotAgain) {
  transport.respond(200, "").respond(200, "").respond(200, "{}").respond(200, "").respond(200,
                                                                                          "{}");
  publisher pub(client_, log, {"/g", std::nullopt});
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-01", one));
  ASSERT_TRUE(pub.publish("heartbeat-2026-01-02", one));
  EXPECT_EQ(targets(),
            (std::vector<std::string>{"CreateLogGroup", "CreateLogStream", "PutLogEvents",
                                      "CreateLogStream", "PutLogEvents"}));
}

TEST_F(Publisher, RecreatesAStreamDeletedBehindItsBackAndRetriesOnce) {
  transport.respond(200, "").respond(200, "").respond(200, "{}");
  publisher pub(client_, log, {"/g", std::nullopt});
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
  publisher pub(client_, log, {"/g", 14});
  ASSERT_TRUE(pub.publish("s", one));
  EXPECT_EQ(targets(), (std::vector<std::string>{"CreateLogGroup", "PutRetentionPolicy",
                                                 "CreateLogStream", "PutLogEvents"}));
}

TEST_F(Publisher, PermissionErrorsAreReturnedNotRetried) {
  transport.respond(400, R"({"message":"not authorized"})", error("AccessDeniedException"));
  publisher pub(client_, log, {"/g", std::nullopt});
  const auto r = pub.publish("s", one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().remote_code, "AccessDeniedException");
  EXPECT_EQ(transport.requests().size(), 1U);
}

}  // namespace
}  // namespace cwp::cloudwatch
