#include "aws/credentials/imds_provider.h"

#include <gtest/gtest.h>

#include "fixtures.h"
#include "http/beast_transport.h"
#include "support/http_server.h"

namespace cwp::aws {
namespace {

using std::chrono::hours;
using vars = std::map<std::string, std::string, std::less<>>;

constexpr std::string_view roles = "/latest/meta-data/iam/security-credentials/";

std::string imds_document(core::sys_time expiry, std::string_view code = "Success") {
  return test::json_credentials("ASIAIMDS", "SeCrEtImds", "ToKeNImds", expiry,
                                R"("Code":")" + std::string(code) +
                                    R"(","LastUpdated":"2023-11-14T22:00:00Z","Type":"AWS-HMAC",)");
}

class Imds : public ::testing::Test {
 protected:
  testing::fake_clock clock;
  testing::scripted_transport scripted;
  test::options_recorder transport{scripted};

  imds_provider provider(vars v = {}) {
    return imds_provider(transport, clock, core::map_environment(std::move(v)));
  }
  void answer_all() {
    scripted.respond(200, "ToKeN-session-1")
        .respond(200, "web-role\n")
        .respond(200, imds_document(clock.now() + hours{6}));
  }
};

TEST_F(Imds, FetchesRoleCredentialsWithAnImdsV2Token) {
  answer_all();
  auto p = provider();
  EXPECT_FALSE(p.disabled_reason());
  const auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  EXPECT_EQ(c->session_token, "ToKeNImds");
  EXPECT_EQ(c->expiration, clock.now() + hours{6});
  EXPECT_EQ(c->provider, "imds");

  const auto& r = scripted.requests();
  ASSERT_EQ(r.size(), 3U);
  EXPECT_EQ(r[0].method, "PUT");
  EXPECT_EQ(r[0].target.origin(), "http://169.254.169.254");
  EXPECT_EQ(r[0].target.path, "/latest/api/token");
  EXPECT_EQ(r[0].find_header("X-aws-ec2-metadata-token-ttl-seconds"), "21600");
  EXPECT_EQ(r[1].method, "GET");
  EXPECT_EQ(r[1].target.path, roles);
  EXPECT_EQ(r[1].find_header("X-aws-ec2-metadata-token"), "ToKeN-session-1");
  EXPECT_EQ(r[2].target.path, std::string(roles) + "web-role");
  EXPECT_EQ(r[2].find_header("X-aws-ec2-metadata-token"), "ToKeN-session-1");
  for (const auto& o : transport.options()) {
    EXPECT_EQ(o.connect_timeout, std::chrono::seconds{1});
    EXPECT_EQ(o.request_timeout, std::chrono::seconds{1});
  }
}

TEST_F(Imds, ReusesTheTokenUntilShortlyBeforeItsTtlEnds) {
  auto p = provider();
  answer_all();
  ASSERT_TRUE(p.get());
  scripted.respond(200, "web-role").respond(200, imds_document(clock.now() + hours{6}));
  clock.advance(hours{5});
  ASSERT_TRUE(p.get());
  EXPECT_EQ(scripted.requests().size(), 5U) << "no second PUT within the TTL";

  clock.advance(hours{1} - std::chrono::seconds{30});
  scripted.respond(200, "ToKeN-session-2")
      .respond(200, "web-role")
      .respond(200, imds_document(clock.now() + hours{6}));
  ASSERT_TRUE(p.get());
  EXPECT_EQ(scripted.requests().at(5).method, "PUT");
  EXPECT_EQ(scripted.requests().at(6).find_header("X-aws-ec2-metadata-token"), "ToKeN-session-2");
}

TEST_F(Imds, AnUnauthorizedGetFetchesANewTokenAndRetriesOnce) {
  scripted.respond(200, "ToKeN-old")
      .respond(401, "")
      .respond(200, "ToKeN-new")
      .respond(200, "web-role")
      .respond(200, imds_document(clock.now() + hours{6}));
  const auto c = provider().get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(scripted.requests().at(2).method, "PUT");
  EXPECT_EQ(scripted.requests().at(3).find_header("X-aws-ec2-metadata-token"), "ToKeN-new");
}

TEST_F(Imds, RefusedTokenRequestIsAnErrorWithoutImdsV1Fallback) {
  for (const int status : {403, 404, 405}) {
    testing::scripted_transport t;
    t.respond(status, "");
    t.otherwise([](const http::request&) -> core::result<http::response> {
      return http::response{200, {}, "web-role"};
    });
    imds_provider p(t, clock, core::map_environment({}));
    const auto c = p.get();
    ASSERT_FALSE(c) << status;
    EXPECT_EQ(c.error().code, core::errc::credentials);
    EXPECT_NE(c.error().message.find("refused the IMDSv2 token request (HTTP " +
                                     std::to_string(status) + ")"),
              std::string::npos);
    EXPECT_NE(c.error().message.find("IMDSv1 without a token is not supported"), std::string::npos);
    EXPECT_EQ(t.requests().size(), 1U) << "never a tokenless GET";
  }
}

TEST_F(Imds, AnUnreachableServiceFailsFastWithOneAttempt) {
  scripted.fail(core::errc::timeout, "timed out");
  const auto c = provider().get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::timeout);
  EXPECT_NE(c.error().message.find("http://169.254.169.254 is not reachable"), std::string::npos);
  EXPECT_EQ(scripted.requests().size(), 1U);
}

TEST_F(Imds, HonoursTimeoutAndAttemptSettings) {
  scripted.fail(core::errc::network).fail(core::errc::network);
  answer_all();
  const auto c = provider({{"AWS_METADATA_SERVICE_TIMEOUT", "2.5"},
                           {"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3"}})
                     .get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(transport.options().at(0).request_timeout, std::chrono::milliseconds{2500});
  const auto bad = provider({{"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "zero"}}).get();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("AWS_METADATA_SERVICE_NUM_ATTEMPTS"), std::string::npos);
}

TEST_F(Imds, DisabledByEnvironment) {
  auto p = provider({{"AWS_EC2_METADATA_DISABLED", "TRUE"}});
  EXPECT_EQ(p.disabled_reason(), "AWS_EC2_METADATA_DISABLED=true");
  EXPECT_FALSE(p.get());
  EXPECT_TRUE(scripted.requests().empty());
}

TEST_F(Imds, EndpointOverrideAndIpv6Mode) {
  answer_all();
  ASSERT_TRUE(provider({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}}).get());
  EXPECT_EQ(scripted.requests().at(0).target.host, "fd00:ec2::254");
  answer_all();
  ASSERT_TRUE(provider({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/"},
                        {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}})
                  .get());
  EXPECT_EQ(scripted.requests().at(3).target.origin(), "http://127.0.0.1:1338");
  const auto bad = provider({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv5"}}).get();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"), std::string::npos);
}

TEST_F(Imds, NoAttachedRoleIsNamed) {
  scripted.respond(200, "ToKeN").respond(404, "");
  const auto c = provider().get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::credentials);
  EXPECT_NE(c.error().message.find("no IAM role is attached"), std::string::npos);
}

TEST_F(Imds, ADocumentWhoseCodeIsNotSuccessIsRefused) {
  scripted.respond(200, "ToKeN")
      .respond(200, "r")
      .respond(200, imds_document(clock.now(), "Failed"));
  const auto c = provider().get();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("Code is Failed"), std::string::npos);
  EXPECT_EQ(c.error().message.find("SeCrEt"), std::string::npos);
}

TEST_F(Imds, RegionAndInstanceIdForTheRestOfTheProgram) {
  scripted.respond(200, "ToKeN").respond(200, "ap-southeast-2\n").respond(200, "i-0abc\n");
  imds_client client(transport, clock, *imds_settings::from_environment(core::map_environment({})));
  EXPECT_EQ(imds_region(client).value(), "ap-southeast-2");
  EXPECT_EQ(imds_instance_id(client).value(), "i-0abc");
  EXPECT_EQ(scripted.requests().at(1).target.path, "/latest/meta-data/placement/region");
  EXPECT_EQ(scripted.requests().at(2).target.path, "/latest/meta-data/instance-id");
  EXPECT_EQ(scripted.requests().size(), 3U) << "one token for both";

  EXPECT_FALSE(imds_region(transport, clock,
                           core::map_environment({{"AWS_EC2_METADATA_DISABLED", "true"}})));
}

// A metadata service on 127.0.0.1 speaking IMDSv2 (or, with v1_only, refusing tokens the way an
// IMDSv1-only service does while answering tokenless GETs).
testing::reply metadata_service(const testing::received_request& r, bool v1_only,
                                core::sys_time expiry) {
  if (r.method == "PUT" && r.target == "/latest/api/token") {
    if (v1_only) return {405, ""};
    if (r.find_header("X-aws-ec2-metadata-token-ttl-seconds") != "21600") return {400, ""};
    return {200, "ToKeN-v2"};
  }
  if (!v1_only && r.find_header("X-aws-ec2-metadata-token") != "ToKeN-v2") return {401, ""};
  if (r.target == roles) return {200, "edge-role"};
  if (r.target == std::string(roles) + "edge-role") return {200, imds_document(expiry)};
  return {404, ""};
}

TEST(ImdsOverHttp, TalksImdsV2ThroughTheRealTransport) {
  testing::fake_clock clock;
  const auto expiry = clock.now() + hours{6};
  testing::http_server server(
      [&](const testing::received_request& r) { return metadata_service(r, false, expiry); });
  auto transport = http::beast_transport::create({});
  ASSERT_TRUE(transport);
  imds_provider p(**transport, clock,
                  core::map_environment({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.origin()}}));
  const auto c = p.get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  EXPECT_EQ(server.requests().size(), 3U);
}

TEST(ImdsOverHttp, RefusesAnImdsV1OnlyService) {
  testing::fake_clock clock;
  testing::http_server server([&](const testing::received_request& r) {
    return metadata_service(r, true, clock.now() + hours{6});
  });
  auto transport = http::beast_transport::create({});
  ASSERT_TRUE(transport);
  imds_provider p(**transport, clock,
                  core::map_environment({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.origin()}}));
  const auto c = p.get();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("refused the IMDSv2 token request (HTTP 405)"),
            std::string::npos);
  ASSERT_EQ(server.requests().size(), 1U);
  EXPECT_EQ(server.requests()[0].method, "PUT");
}

TEST(ImdsOverHttp, ASilentAddressFailsWithinTheOneSecondTimeout) {
  testing::fake_clock clock;
  testing::http_server server([](const testing::received_request&) {
    testing::reply r;
    r.never_answer = true;
    return r;
  });
  auto transport = http::beast_transport::create({});
  ASSERT_TRUE(transport);
  imds_provider p(**transport, clock,
                  core::map_environment({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", server.origin()},
                                         {"AWS_METADATA_SERVICE_TIMEOUT", "0.2"}}));
  const auto started = std::chrono::steady_clock::now();
  const auto c = p.get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds{2});
}

}  // namespace
}  // namespace cwp::aws
