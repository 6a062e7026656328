#include "aws/credentials/container_provider.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "http/beast_transport.h"
#include "support/http_server.h"
#include "support/temp_dir.h"

namespace cwp::aws {
namespace {

using std::chrono::hours;
using vars = std::map<std::string, std::string, std::less<>>;

class Container : public ::testing::Test {
 protected:
  testing::fake_clock clock;
  testing::scripted_transport scripted;
  test::options_recorder transport{scripted};
  testing::temp_dir dir;

  container_provider provider(vars v) {
    return container_provider(core::map_environment(std::move(v)), transport, clock);
  }
  void answer() {
    scripted.respond(200,
                     test::json_credentials("ASIACONT", "SeCrEtC", "ToKeNC", clock.now() + hours{6},
                                            R"("RoleArn":"arn:aws:iam::1:role/task",)"));
  }
};

TEST_F(Container, RelativeUriGoesToTheEcsAgentWithShortTimeouts) {
  answer();
  auto p = provider({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc?x=1"},
                     {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1/ignored"}});
  EXPECT_TRUE(p.configured());
  const auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIACONT");
  EXPECT_EQ(c->session_token, "ToKeNC");
  EXPECT_EQ(c->expiration, clock.now() + hours{6});
  EXPECT_EQ(c->provider, "container");
  const auto& req = scripted.requests().at(0);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target.origin(), "http://169.254.170.2");
  EXPECT_EQ(req.target.path, "/v2/credentials/abc");
  EXPECT_EQ(req.target.query, "x=1");
  EXPECT_EQ(req.find_header("Accept"), "application/json");
  EXPECT_FALSE(req.find_header("Authorization"));
  EXPECT_EQ(transport.options().at(0).request_timeout, std::chrono::seconds{2});
  EXPECT_EQ(transport.options().at(0).connect_timeout, std::chrono::seconds{2});
}

TEST_F(Container, NotConfiguredWithoutEitherUri) {
  EXPECT_FALSE(provider({}).configured());
  EXPECT_FALSE(provider({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ""}}).configured());
}

TEST_F(Container, FullUriAllowsHttpsAnywhereButHttpOnlyToLocalAgents) {
  for (const char* ok :
       {"https://creds.example.com/x", "http://127.0.0.1:8080/c", "http://127.9.8.7/c",
        "http://localhost/c", "http://[::1]:9/c", "http://169.254.170.2/c",
        "http://169.254.170.23/v1/credentials", "http://[fd00:ec2::23]/v1/credentials"}) {
    answer();
    EXPECT_TRUE(provider({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", ok}}).get()) << ok;
  }
  for (const char* refused : {"http://10.0.0.1/c", "http://169.254.169.254/c",
                              "http://example.com/c", "http://[fd00:ec2::254]/c"}) {
    const auto c = provider({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", refused}}).get();
    ASSERT_FALSE(c) << refused;
    EXPECT_EQ(c.error().code, core::errc::credentials);
    EXPECT_NE(c.error().message.find("AWS_CONTAINER_CREDENTIALS_FULL_URI: plain HTTP"),
              std::string::npos);
  }
  const auto garbage = provider({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "ftp://x"}}).get();
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos);
}

TEST_F(Container, TokenFileWinsOverTheVariableAndIsRereadEveryFetch) {
  const auto file = dir.write("token", "ToKeN-file-1\n");
  auto p = provider({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.23/v1"},
                     {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", file},
                     {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ToKeN-variable"}});
  answer();
  answer();
  ASSERT_TRUE(p.get());
  dir.write("token", "ToKeN-file-2");
  ASSERT_TRUE(p.get());
  EXPECT_EQ(scripted.requests().at(0).find_header("Authorization"), "ToKeN-file-1");
  EXPECT_EQ(scripted.requests().at(1).find_header("Authorization"), "ToKeN-file-2");
}

TEST_F(Container, TokenVariableIsSentWhenNoFile) {
  answer();
  ASSERT_TRUE(provider({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"},
                        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic ToKeN"}})
                  .get());
  EXPECT_EQ(scripted.requests().at(0).find_header("Authorization"), "Basic ToKeN");
}

TEST_F(Container, TokensWithLineBreaksAreRefusedWithoutBeingEchoed) {
  const auto variable = provider({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"},
                                  {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ToKeN\r\nX-Evil: 1"}})
                            .get();
  ASSERT_FALSE(variable);
  EXPECT_NE(
      variable.error().message.find("AWS_CONTAINER_AUTHORIZATION_TOKEN contains a line break"),
      std::string::npos);
  EXPECT_EQ(variable.error().message.find("ToKeN"), std::string::npos);
  const auto file =
      provider({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"},
                {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir.write("t", "ToKeN\nsecond line\n")}})
          .get();
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().message.find("_TOKEN_FILE contains a line break"), std::string::npos);
  const auto missing = provider({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"},
                                 {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", dir.file("none")}})
                           .get();
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos);
  EXPECT_TRUE(scripted.requests().empty());
}

TEST_F(Container, RetriesTransientFailuresThreeTimesOneSecondApart) {
  scripted.fail(core::errc::timeout).respond(503, "busy");
  answer();
  const auto c = provider({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"}}).get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(scripted.requests().size(), 3U);
  EXPECT_EQ(clock.sleeps(), (std::vector<std::chrono::nanoseconds>{std::chrono::seconds{1},
                                                                   std::chrono::seconds{1}}));
}

TEST_F(Container, GivesUpAfterThreeAttemptsNamingOnlyTheOrigin) {
  scripted.fail(core::errc::network, "connection refused")
      .fail(core::errc::network, "connection refused")
      .fail(core::errc::network, "connection refused");
  const auto c =
      provider({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/secret-guid"}}).get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::network);
  EXPECT_NE(c.error().message.find("http://169.254.170.2"), std::string::npos);
  EXPECT_NE(c.error().message.find("after 3 attempts"), std::string::npos);
  EXPECT_EQ(c.error().message.find("secret-guid"), std::string::npos);
}

TEST_F(Container, ClientErrorsAreNotRetriedAndCarryTheEndpointsMessage) {
  scripted.respond(401, R"({"code":"InvalidToken","message":"token rejected"})");
  const auto c = provider({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"}}).get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::http);
  EXPECT_EQ(c.error().http_status, 401);
  EXPECT_NE(c.error().message.find("HTTP 401: InvalidToken: token rejected"), std::string::npos);
  EXPECT_EQ(scripted.requests().size(), 1U);
}

TEST_F(Container, MalformedDocumentIsAParseErrorWithoutTheBody) {
  scripted.respond(200, R"({"AccessKeyId":"A","Token":"ToKeN"})");
  const auto c = provider({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c"}}).get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::parse);
  EXPECT_EQ(c.error().message.find("ToKeN"), std::string::npos);
}

TEST(ContainerOverHttp, FetchesFromALoopbackEndpointThroughTheRealTransport) {
  testing::fake_clock clock;
  const auto expiry = clock.now() + hours{6};
  testing::http_server server([&](const testing::received_request& r) {
    if (r.find_header("Authorization") != "ToKeN-pod") return testing::reply{403, "{}"};
    return testing::reply{200, test::json_credentials("ASIAPOD", "SeCrEtPod", "ToKeNPod", expiry)};
  });
  auto transport = http::beast_transport::create({});
  ASSERT_TRUE(transport);
  container_provider p(core::map_environment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                               server.origin() + "/v1/credentials"},
                                              {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ToKeN-pod"}}),
                       **transport, clock);
  const auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAPOD");
  EXPECT_EQ(c->expiration, expiry);
  ASSERT_EQ(server.requests().size(), 1U);
  EXPECT_EQ(server.requests()[0].target, "/v1/credentials");
  EXPECT_EQ(server.requests()[0].find_header("Accept"), "application/json");
}

// botocore never sends container credential requests through a proxy: the agent is local, and
// a proxy would receive the Authorization token.
TEST(ContainerOverHttp, NeverGoesThroughTheProxyOfTheEnvironment) {
  testing::fake_clock clock;
  testing::http_server proxy([](const testing::received_request&) {
    return testing::reply{502, "proxied"};
  });
  testing::http_server agent([&](const testing::received_request&) {
    return testing::reply{
        200, test::json_credentials("ASIAPOD", "SeCrEtPod", "ToKeNPod", clock.now() + hours{6})};
  });
  const std::map<std::string, std::string, std::less<>> proxy_env{{"HTTP_PROXY", proxy.origin()},
                                                                  {"HTTPS_PROXY", proxy.origin()}};
  auto proxies = http::proxy_settings::from_environment(
      [&](std::string_view name) -> std::optional<std::string> {
        const auto it = proxy_env.find(name);
        return it == proxy_env.end() ? std::nullopt : std::optional<std::string>(it->second);
      });
  ASSERT_TRUE(proxies);
  auto transport = http::beast_transport::create({std::nullopt, *proxies});
  ASSERT_TRUE(transport);
  container_provider p(
      core::map_environment({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", agent.origin() + "/creds"},
                             {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ToKeN-pod-authorization"}}),
      **transport, clock);
  const auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAPOD");
  EXPECT_TRUE(proxy.requests().empty()) << "the proxy saw the container request";
  ASSERT_EQ(agent.requests().size(), 1U);
  EXPECT_EQ(agent.requests()[0].target, "/creds");
  EXPECT_EQ(agent.requests()[0].find_header("Authorization"), "ToKeN-pod-authorization");
}

}  // namespace
}  // namespace cwp::aws
