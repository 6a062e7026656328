#include "aws/credentials/web_identity_provider.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "support/temp_dir.h"

namespace cwp::aws {
namespace {

using std::chrono::hours;

TEST(AssumedCredentials, ParsesTheCredentialsElementWithFractionalExpiration) {
  const core::sys_time expiry{std::chrono::seconds{1'800'000'000}};
  const auto c = parse_assumed_credentials(
      test::sts_credentials_xml("AssumeRole", "ASIAKEY", "SeCrEt1", "ToKeN1", expiry),
      "AssumeRole");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "ASIAKEY");
  EXPECT_EQ(c->secret_access_key, "SeCrEt1");
  EXPECT_EQ(c->session_token, "ToKeN1");
  EXPECT_EQ(c->expiration, expiry);
}

TEST(AssumedCredentials, ParsesMotosMicrosecondExpiration) {
  const auto c = parse_assumed_credentials(
      "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
      "<AccessKeyId>A</AccessKeyId><SecretAccessKey>SeCrEt</SecretAccessKey><SessionToken>ToKeN"
      "</SessionToken><Expiration>2026-11-25T18:38:57.343337Z</Expiration></Credentials>"
      "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
      "AssumeRoleWithWebIdentity");
  ASSERT_TRUE(c);
  EXPECT_EQ(core::format_iso8601_millis(*c->expiration), "2026-11-25T18:38:57.343Z");
}

TEST(AssumedCredentials, ErrorsNeverQuoteTheDocument) {
  const auto wrong_op = parse_assumed_credentials(
      test::sts_credentials_xml("AssumeRole", "A", "SeCrEtX", "ToKeNX", core::sys_time{}),
      "AssumeRoleWithWebIdentity");
  ASSERT_FALSE(wrong_op);
  EXPECT_EQ(wrong_op.error().message.find("SeCrEt"), std::string::npos);
  const auto no_token = parse_assumed_credentials(
      "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>A</AccessKeyId>"
      "<SecretAccessKey>SeCrEtY</SecretAccessKey><Expiration>x</Expiration></Credentials>"
      "</AssumeRoleResult></AssumeRoleResponse>",
      "AssumeRole");
  ASSERT_FALSE(no_token);
  EXPECT_EQ(no_token.error().code, core::errc::parse);
  EXPECT_EQ(no_token.error().message.find("SeCrEt"), std::string::npos);
}

TEST(StsAssumeRole, SendsASignedFormWithOptionalParameters) {
  test::sts_fixture sts;
  const auto expiry = sts.clock.now() + hours{1};
  sts.transport.respond(200,
                        test::sts_credentials_xml("AssumeRole", "ASIA", "SeCrEt", "ToKeN", expiry));
  class fixed final : public credentials_provider {
   public:
    core::result<credentials> get() override {
      return credentials{"AKIDSOURCE", "SeCrEtSource", "", std::nullopt, "test"};
    }
  } source;
  const auto c = sts.target().client(&source).assume_role(
      {"arn:aws:iam::123456789012:role/r", "sess", std::string("ext id"), 900});
  ASSERT_TRUE(c) << c.error().message;
  const auto& req = sts.transport.requests().at(0);
  EXPECT_EQ(
      req.body,
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr"
      "&RoleSessionName=sess&ExternalId=ext%20id&DurationSeconds=900");
  EXPECT_NE(req.find_header("Authorization")->find("Credential=AKIDSOURCE/"), std::string::npos);
}

class WebIdentity : public ::testing::Test {
 protected:
  testing::temp_dir dir;
  test::sts_fixture sts;
  core::sys_time expiry() { return sts.clock.now() + hours{1}; }
  void answer() {
    sts.transport.respond(200, test::sts_credentials_xml("AssumeRoleWithWebIdentity", "ASIAWEB",
                                                         "SeCrEtWeb", "ToKeNWeb", expiry()));
  }
};

TEST_F(WebIdentity, ReadsTheEnvironmentAndSendsAnUnsignedRequestToRegionalSts) {
  const auto file = dir.write("token", "eyJ.ToKeN-jwt\n");
  const auto settings = web_identity_provider::from_environment(core::map_environment(
      {{"AWS_WEB_IDENTITY_TOKEN_FILE", file}, {"AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa"}}));
  ASSERT_TRUE(settings);
  answer();
  web_identity_provider p(*settings, sts.target(), sts.clock);
  const auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAWEB");
  EXPECT_EQ(c->session_token, "ToKeNWeb");
  EXPECT_EQ(c->expiration, expiry());
  EXPECT_EQ(c->provider, "web_identity");

  const auto& req = sts.transport.requests().at(0);
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.find_header("Host"), "sts.us-east-1.amazonaws.com");
  EXPECT_FALSE(req.find_header("Authorization"));
  EXPECT_FALSE(req.find_header("X-Amz-Date"));
  EXPECT_FALSE(req.find_header("X-Amz-Security-Token"));
  EXPECT_EQ(req.body,
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3A"
            "role%2Firsa&RoleSessionName=cloudwatch-publisher-1700000000&WebIdentityToken=eyJ."
            "ToKeN-jwt");
}

TEST_F(WebIdentity, UsesTheConfiguredSessionName) {
  const auto settings = web_identity_provider::from_environment(
      core::map_environment({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.write("t", "ToKeN")},
                             {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"},
                             {"AWS_ROLE_SESSION_NAME", "my-pod"}}));
  answer();
  web_identity_provider p(*settings, sts.target(), sts.clock);
  ASSERT_TRUE(p.get());
  EXPECT_NE(sts.transport.requests().at(0).body.find("&RoleSessionName=my-pod&"),
            std::string::npos);
}

TEST_F(WebIdentity, RereadsTheTokenFileOnEveryRefresh) {
  const auto file = dir.write("t", "ToKeN-one");
  web_identity_provider p({file, "arn:aws:iam::1:role/r", "s", "web_identity", "AWS_ROLE_ARN"},
                          sts.target(), sts.clock);
  answer();
  answer();
  ASSERT_TRUE(p.get());
  dir.write("t", "ToKeN-two");
  ASSERT_TRUE(p.get());
  EXPECT_NE(sts.transport.requests().at(0).body.find("WebIdentityToken=ToKeN-one"),
            std::string::npos);
  EXPECT_NE(sts.transport.requests().at(1).body.find("WebIdentityToken=ToKeN-two"),
            std::string::npos);
}

TEST_F(WebIdentity, NotConfiguredWithoutTheTokenFileVariable) {
  EXPECT_FALSE(web_identity_provider::from_environment(
      core::map_environment({{"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}})));
  environment_web_identity_provider p(core::map_environment({}), sts.target(), sts.clock);
  EXPECT_FALSE(p.configured());
}

TEST_F(WebIdentity, ATokenFileWithoutARoleIsAConfigurationError) {
  environment_web_identity_provider p(
      core::map_environment({{"AWS_WEB_IDENTITY_TOKEN_FILE", dir.write("t", "ToKeN")}}),
      sts.target(), sts.clock);
  EXPECT_TRUE(p.configured());
  const auto c = p.get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::credentials);
  EXPECT_NE(c.error().message.find("AWS_ROLE_ARN"), std::string::npos);
  EXPECT_TRUE(sts.transport.requests().empty());
}

TEST_F(WebIdentity, MissingOrEmptyTokenFileFailsWithoutCallingSts) {
  web_identity_provider missing({dir.file("nope"), "arn:aws:iam::1:role/r", {}, "w", "x"},
                                sts.target(), sts.clock);
  const auto a = missing.get();
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("does not exist"), std::string::npos);
  web_identity_provider empty({dir.write("e", " \n"), "arn:aws:iam::1:role/r", {}, "w", "x"},
                              sts.target(), sts.clock);
  const auto b = empty.get();
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().message.find("is empty"), std::string::npos);
  EXPECT_TRUE(sts.transport.requests().empty());
}

TEST_F(WebIdentity, StsRejectionKeepsItsCodeAndNamesTheRole) {
  sts.transport.respond(
      400,
      "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>"
      "<Message>Incorrect token audience</Message></Error><RequestId>x</RequestId>"
      "</ErrorResponse>");
  web_identity_provider p({dir.write("t", "ToKeN-bad"), "arn:aws:iam::1:role/r", {}, "w", "x"},
                          sts.target(), sts.clock);
  const auto c = p.get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::aws);
  EXPECT_EQ(c.error().remote_code, "InvalidIdentityToken");
  EXPECT_NE(c.error().message.find("arn:aws:iam::1:role/r"), std::string::npos);
  EXPECT_EQ(c.error().message.find("ToKeN"), std::string::npos);
}

}  // namespace
}  // namespace cwp::aws
