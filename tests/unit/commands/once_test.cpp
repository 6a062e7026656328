#include "commands/once.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/scripted_logs.h"
#include "support/scripted_platform.h"

namespace cwp::commands {
namespace {

using daemon::exit_code;

constexpr const char* identity = R"(<GetCallerIdentityResponse><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/publisher</Arn><Account>123456789012</Account>
</GetCallerIdentityResult></GetCallerIdentityResponse>)";
constexpr const char* secret = "s3cr3t/Key+value";

class Once : public ::testing::Test, protected testing::scripted_platform {
 protected:
  Once()
      : scripted_platform({}, core::sys_time{std::chrono::seconds{1'767'225'600}}) {}  // 2026-01-01

  exit_code run(testing::variables vars) {
    vars.emplace("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    set_environment(std::move(vars));
    auto s = config::resolve({}, env());
    EXPECT_TRUE(s);
    return run_once(*s, platform());
  }

  static testing::variables keys() {
    return {{"AWS_ACCESS_KEY_ID", "AKIDPUBLISHER"},
            {"AWS_SECRET_ACCESS_KEY", secret},
            {"HOSTNAME", "node-7"}};
  }

  std::vector<std::string> messages() const {
    std::vector<std::string> out;
    for (const auto& l : sink.lines()) out.push_back(l.message);
    return out;
  }
};

TEST_F(Once, ValidatesThenPublishesOneHeartbeatWithTheOldImagesMessages) {
  transport.respond(200, identity);
  testing::respond_missing_stream_and_group(transport);
  transport.respond(200, "").respond(200, "").respond(200, "{}");
  EXPECT_EQ(run(keys()), exit_code::ok);
  EXPECT_EQ(messages(), (std::vector<std::string>{
                            "Starting CloudWatch Publisher container...",
                            "Environment validation successful (AWS_REGION=ap-southeast-2)",
                            "AWS credentials validated successfully",
                            "Publishing heartbeat to "
                            "/monorepo-fem/heartbeat/heartbeat-2026-01-01",
                            "Created log group", "Created log stream",
                            "Successfully published log to CloudWatch Logs"}));
  EXPECT_EQ(sink.lines()[0].service, "cloudwatch-publisher-entrypoint");
  EXPECT_EQ(sink.lines().back().service, "cloudwatch-publisher");
  const auto body = nlohmann::json::parse(transport.requests().back().body);
  EXPECT_EQ(body["logStreamName"], "heartbeat-2026-01-01");
  EXPECT_EQ(body["logEvents"][0]["timestamp"], 1'767'225'600'000LL);
  const auto message = nlohmann::json::parse(body["logEvents"][0]["message"].get<std::string>());
  EXPECT_EQ(message["host"], "node-7");
  EXPECT_EQ(message["sequence"], 1);
}

TEST_F(Once, WithEmfAndRetentionTheHeartbeatIsAnEmfBatchOnAGroupGivenRetention) {
  transport.respond(200, identity);
  testing::respond_missing_stream_and_group(transport);
  transport.respond(200, "").respond(200, "").respond(200, "").respond(200, "{}");
  auto vars = keys();
  vars.emplace("CWP_EMF_NAMESPACE", "CloudWatchPublisher");
  vars.emplace("CWP_RETENTION_DAYS", "14");
  EXPECT_EQ(run(vars), exit_code::ok);
  const auto& sent = transport.requests();
  ASSERT_EQ(sent.size(), 7U);
  EXPECT_EQ(sent[4].find_header("X-Amz-Target"), "Logs_20140328.PutRetentionPolicy");
  EXPECT_EQ(nlohmann::json::parse(sent[4].body)["retentionInDays"], 14);
  EXPECT_EQ(sent[6].find_header("x-amzn-logs-format"), "json/emf");
  const auto body = nlohmann::json::parse(sent[6].body);
  const auto message = nlohmann::json::parse(body["logEvents"][0]["message"].get<std::string>());
  EXPECT_EQ(message["Heartbeat"], 1);
  EXPECT_EQ(message["Host"], "node-7");
  EXPECT_EQ(message["_aws"]["CloudWatchMetrics"][0]["Namespace"], "CloudWatchPublisher");
}

TEST_F(Once, MissingSecretIsAUsageErrorNamingTheVariableWithoutAnyCall) {
  EXPECT_EQ(run({{"AWS_ACCESS_KEY_ID", "AKID"}}), exit_code::usage);
  EXPECT_TRUE(transport.requests().empty());
  ASSERT_EQ(sink.count(logging::level::error), 1U);
  EXPECT_TRUE(sink.contains("AWS_SECRET_ACCESS_KEY"));
}

TEST_F(Once, RejectedCredentialsExitWithCodeThreeAndSayWhatToCheck) {
  transport.respond(403, R"(<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code>
<Message>The request signature we calculated does not match</Message></Error></ErrorResponse>)");
  EXPECT_EQ(run(keys()), exit_code::credentials_rejected);
  EXPECT_EQ(transport.requests().size(), 1U);
  EXPECT_TRUE(
      sink.contains("AWS credentials validation failed: GetCallerIdentity failed: "
                    "SignatureDoesNotMatch"));
  EXPECT_FALSE(sink.contains(secret));
}

// STS is a diagnostic, never a gate: CloudWatch Logs may answer where STS does not (a VPC
// endpoint for Logs only). What decides is whether the heartbeat is delivered.
TEST_F(Once, UnreachableStsIsOneWarningAndTheHeartbeatIsStillPublished) {
  transport.fail(core::errc::network, "connection refused")
      .fail(core::errc::network, "connection refused")
      .fail(core::errc::network, "connection refused")
      .respond(200, "")
      .respond(200, "")
      .respond(200, "{}");
  EXPECT_EQ(run(keys()), exit_code::ok) << sink.text();
  std::vector<logging::line> sts;
  for (const auto& l : sink.lines()) {
    if (l.message.starts_with("Could not reach AWS STS")) sts.push_back(l);
  }
  ASSERT_EQ(sts.size(), 1U) << sink.text();
  EXPECT_EQ(sts[0].severity, logging::level::warn);
  EXPECT_EQ(sink.count(logging::level::error), 0U) << sink.text();
  EXPECT_EQ(transport.requests().back().find_header("X-Amz-Target"), "Logs_20140328.PutLogEvents");
  EXPECT_EQ(messages().back(), "Successfully published log to CloudWatch Logs");
}

TEST_F(Once, AnStsServerErrorIsNotARejectionEither) {
  const char* unavailable =
      "<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>";
  transport.respond(503, unavailable)
      .respond(503, unavailable)
      .respond(503, unavailable)
      .respond(200, "")
      .respond(200, "")
      .respond(200, "{}");
  EXPECT_EQ(run(keys()), exit_code::ok) << sink.text();
  EXPECT_TRUE(sink.contains("Could not reach AWS STS"));
}

TEST_F(Once, UnreachableStsAndLogsIsExitOne) {
  transport.otherwise([](const http::request&) -> core::result<http::response> {
    return core::fail(core::errc::network, "connection refused");
  });
  EXPECT_EQ(run(keys()), exit_code::failed);
  EXPECT_TRUE(sink.contains("Failed to publish log to CloudWatch Logs"));
}

TEST_F(Once, PublishFailureIsExitOneWithTheErrorCode) {
  transport.respond(200, identity)
      .respond(400, R"({"message":"User is not authorized"})",
               {{"x-amzn-ErrorType", "AccessDeniedException"}});
  EXPECT_EQ(run(keys()), exit_code::failed);
  const auto last = sink.lines().back();
  EXPECT_EQ(last.severity, logging::level::error);
  EXPECT_NE(last.message.find("AccessDeniedException"), std::string::npos);
}

TEST_F(Once, RejectedHeartbeatIsNeverReportedAsDelivered) {
  transport.respond(200, identity)
      .respond(200, R"({"rejectedLogEventsInfo":{"tooOldLogEventEndIndex":0}})");
  EXPECT_EQ(run(keys()), exit_code::failed);
  EXPECT_FALSE(sink.contains("Successfully published"));
  EXPECT_TRUE(sink.contains("rejected the heartbeat"));
}

}  // namespace
}  // namespace cwp::commands
