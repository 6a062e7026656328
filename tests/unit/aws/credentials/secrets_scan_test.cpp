// Runs the providers through their success and failure scenarios with recognisable secrets and
// tokens, behind a logging cache, and checks that no log line or error message contains any.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/credentials/caching_provider.h"
#include "aws/credentials/container_provider.h"
#include "aws/credentials/default_chain.h"
#include "aws/credentials/environment_provider.h"
#include "aws/credentials/imds_provider.h"
#include "aws/credentials/profile_provider.h"
#include "aws/credentials/web_identity_provider.h"
#include "fixtures.h"
#include "support/capturing_sink.h"
#include "support/temp_dir.h"

namespace cwp::aws {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using vars = std::map<std::string, std::string, std::less<>>;

class SecretsScan : public ::testing::Test {
 protected:
  testing::temp_dir dir;
  test::sts_fixture sts;
  testing::capturing_sink sink;
  logging::logger log{sink, sts.clock, "test", logging::level::debug};
  std::vector<std::string> messages;

  sts_target target() {
    auto t = sts.target();
    t.context.log = &log;
    t.context.retry.max_attempts = 2;
    return t;
  }
  // Wraps the provider in a logging cache, asks twice with a refresh in between, and keeps
  // every error message.
  void exercise(std::unique_ptr<credentials_provider> p) {
    caching_provider cache(std::move(p), sts.clock, &log);
    for (int i = 0; i < 2; ++i) {
      auto c = cache.get();
      if (!c) messages.push_back(c.error().message);
      sts.clock.advance(minutes{50});
    }
  }
  core::environment env(vars v) {
    v.emplace("PATH", "/usr/bin:/bin");
    v.emplace("HOME", dir.path().string());
    return core::map_environment(std::move(v));
  }
  std::string sts_ok(std::string_view op) {
    return test::sts_credentials_xml(op, "ASIAOK", "SeCrEtSts", "ToKeNSts",
                                     sts.clock.now() + hours{1});
  }
  std::string script(std::string_view name, std::string_view body) {
    return dir.write(name, "#!/bin/sh\n" + std::string(body), 0755);
  }
};

TEST_F(SecretsScan, NoSecretOrTokenReachesLogsOrErrors) {
  // Environment: complete, then half set.
  exercise(std::make_unique<environment_provider>(env({{"AWS_ACCESS_KEY_ID", "AKID"},
                                                       {"AWS_SECRET_ACCESS_KEY", "SeCrEtEnv"},
                                                       {"AWS_SESSION_TOKEN", "ToKeNEnv"}})));
  exercise(std::make_unique<environment_provider>(env({{"AWS_SECRET_ACCESS_KEY", "SeCrEtEnv"}})));

  // Web identity: success, STS rejection (with a retry), missing role.
  const auto jwt = dir.write("jwt", "ToKeNJwt");
  sts.transport.respond(200, sts_ok("AssumeRoleWithWebIdentity"));
  sts.transport.respond(
      500, "<ErrorResponse><Error><Code>InternalFailure</Code></Error></ErrorResponse>");
  sts.transport.respond(400,
                        "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad"
                        "</Message></Error></ErrorResponse>");
  exercise(std::make_unique<environment_web_identity_provider>(
      env({{"AWS_WEB_IDENTITY_TOKEN_FILE", jwt}, {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}}),
      target(), sts.clock));
  exercise(std::make_unique<environment_web_identity_provider>(
      env({{"AWS_WEB_IDENTITY_TOKEN_FILE", jwt}}), target(), sts.clock));

  // Profiles: static, half set, assume role (ok, then denied), failing processes.
  const auto config =
      dir.write("config",
                "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n"
                "[profile exit]\ncredential_process = " +
                    script("exit",
                           "echo "
                           "'{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":"
                           "\"SeCrEtOut\"}'\nexit 1\n") +
                    "\n[profile garbage]\ncredential_process = " +
                    script("garbage", "echo 'SeCrEtGarbage ToKeNGarbage'\n") +
                    "\n[profile wrongtype]\ncredential_process = " +
                    script("wrongtype",
                           "echo "
                           "'{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":7,"
                           "\"SessionToken\":\"ToKeNP\"}'\n") +
                    "\n");
  const auto credentials_file =
      dir.write("credentials",
                "[default]\naws_access_key_id = AKID\naws_secret_access_key = "
                "SeCrEtFile\naws_session_token = ToKeNFile\n"
                "[half]\naws_secret_access_key = SeCrEtHalf\n"
                "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = SeCrEtBase\n");
  sts.transport.respond(200, sts_ok("AssumeRole"));
  sts.transport.respond(403,
                        "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message>"
                        "</Error></ErrorResponse>");
  for (const char* name : {"default", "half", "role", "exit", "garbage", "wrongtype"}) {
    exercise(std::make_unique<profile_provider>(
        profile_dependencies{env({{"AWS_PROFILE", name},
                                  {"AWS_CONFIG_FILE", config},
                                  {"AWS_SHARED_CREDENTIALS_FILE", credentials_file}}),
                             &sts.clock, &sts.transport, target()}));
  }

  // Container: success, then a rejected token; a token with a line break.
  sts.transport.respond(
      200, test::json_credentials("ASIAC", "SeCrEtCont", "ToKeNCont", sts.clock.now() + hours{1}));
  sts.transport.respond(403, R"({"code":"AccessDenied","message":"bad token"})");
  exercise(std::make_unique<container_provider>(
      env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/ToKeNPath"},
           {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ToKeNAuth"}}),
      sts.transport, sts.clock));
  exercise(std::make_unique<container_provider>(
      env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"},
           {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ToKeNAuth\nX: y"}}),
      sts.transport, sts.clock));

  // Instance metadata: success, then a failed document; an IMDSv1-only service.
  sts.transport.respond(200, "ToKeNSession")
      .respond(200, "role")
      .respond(200, test::json_credentials("ASIAI", "SeCrEtImds", "ToKeNImds",
                                           sts.clock.now() + hours{1}, R"("Code":"Success",)"));
  sts.transport.respond(200, "role")
      .respond(200, R"({"Code":"Success","AccessKeyId":"A","SecretAccessKey":"SeCrEtX"})");
  exercise(std::make_unique<imds_provider>(sts.transport, sts.clock, env({})));
  sts.transport.respond(405, "");
  exercise(std::make_unique<imds_provider>(sts.transport, sts.clock, env({})));

  // The whole chain with nothing configured.
  sts.transport.fail(core::errc::timeout);
  exercise(
      make_default_chain(chain_dependencies{env({}), &sts.clock, &sts.transport, target(), &log}));

  ASSERT_GE(messages.size(), 12U);
  ASSERT_GE(sink.lines().size(), 6U);
  for (const auto& m : messages) {
    EXPECT_EQ(m.find(test::secret_marker), std::string::npos) << m;
    EXPECT_EQ(m.find(test::token_marker), std::string::npos) << m;
  }
  const std::string logged = sink.text();
  EXPECT_EQ(logged.find(test::secret_marker), std::string::npos) << logged;
  EXPECT_EQ(logged.find(test::token_marker), std::string::npos) << logged;
}

// Every endpoint here quotes the whole request back in its error message (headers and body),
// as AWS does with the canonical request of a signature mismatch; STS also names the secret key
// a signed request was signed with (which only AWS could know).
TEST_F(SecretsScan, ServersQuotingTheRequestBackLeakNothing) {
  sts.transport.otherwise([](const http::request& sent) -> core::result<http::response> {
    std::string quoted = "The Canonical String for this request should have been '" + sent.method +
                         " " + sent.target.path + "\n";
    for (const auto& h : sent.headers) quoted += h.name + ":" + h.value + "\n";
    quoted += sent.body + "'";
    if (sent.find_header("Authorization").value_or("").find("Credential=AKIDBASE/") !=
        std::string::npos) {
      quoted += " (signed with SeCrEtBase)";
    }
    if (sent.target.host.starts_with("sts.")) {
      return http::response{403,
                            {},
                            "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code>"
                            "<Message>" +
                                quoted + "</Message></Error></ErrorResponse>"};
    }
    return http::response{403, {}, nlohmann::json{{"code", "Denied"}, {"message", quoted}}.dump()};
  });
  const auto jwt = dir.write("jwt", "ToKeNJwtEcho");
  exercise(std::make_unique<environment_web_identity_provider>(
      env({{"AWS_WEB_IDENTITY_TOKEN_FILE", jwt}, {"AWS_ROLE_ARN", "arn:aws:iam::1:role/r"}}),
      target(), sts.clock));
  const auto credentials_file =
      dir.write("credentials",
                "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = SeCrEtBase\n"
                "aws_session_token = ToKeNBaseSession\n");
  const auto config = dir.write(
      "config", "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n");
  exercise(std::make_unique<profile_provider>(
      profile_dependencies{env({{"AWS_PROFILE", "role"},
                                {"AWS_CONFIG_FILE", config},
                                {"AWS_SHARED_CREDENTIALS_FILE", credentials_file}}),
                           &sts.clock, &sts.transport, target()}));
  exercise(std::make_unique<container_provider>(
      env({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/c"},
           {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ToKeNAuthorization"}}),
      sts.transport, sts.clock));

  ASSERT_GE(messages.size(), 6U);
  const std::string logged = sink.text();
  for (const auto& text : messages) {
    EXPECT_NE(text.find("[redacted]"), std::string::npos) << "the echo was scrubbed: " << text;
  }
  messages.push_back(logged);
  for (const auto& text : messages) {
    EXPECT_EQ(text.find(test::secret_marker), std::string::npos) << text;
    EXPECT_EQ(text.find(test::token_marker), std::string::npos) << text;
    for (const auto& req : sts.transport.requests()) {
      const auto auth = req.find_header("Authorization").value_or("");
      if (const auto at = auth.find("Signature="); at != std::string::npos) {
        EXPECT_EQ(text.find(auth.substr(at + 10)), std::string::npos) << text;
      }
    }
  }
}

}  // namespace
}  // namespace cwp::aws
