#include "aws/credentials/chain_provider.h"

#include <gtest/gtest.h>

#include "aws/credentials/default_chain.h"
#include "fixtures.h"
#include "support/capturing_sink.h"
#include "support/temp_dir.h"

namespace cwp::aws {
namespace {

using std::chrono::hours;
using vars = std::map<std::string, std::string, std::less<>>;

class fixed final : public credentials_provider {
 public:
  explicit fixed(core::result<credentials> answer) : answer_(std::move(answer)) {}
  core::result<credentials> get() override {
    ++calls;
    return answer_;
  }
  void invalidate() override { ++invalidations; }
  int calls{0};
  int invalidations{0};

 private:
  core::result<credentials> answer_;
};

TEST(Chain, TheFirstConfiguredSourceWinsAndLaterOnesAreNotAsked) {
  auto first = std::make_unique<fixed>(credentials{"A", "s", "", {}, "first"});
  auto second = std::make_unique<fixed>(credentials{"B", "s", "", {}, "second"});
  auto* second_ptr = second.get();
  std::vector<chain_provider::link> links;
  links.push_back({"first", std::move(first), [] { return std::optional<std::string>("off"); }});
  links.push_back({"second", std::move(second), {}});
  links.push_back({"third", std::make_unique<fixed>(core::fail(core::errc::io, "x")), {}});
  chain_provider chain(std::move(links));
  EXPECT_EQ(chain.get()->provider, "second");
  EXPECT_EQ(second_ptr->calls, 1);
  chain.invalidate();
  EXPECT_EQ(second_ptr->invalidations, 1);
}

TEST(Chain, AConfiguredSourceThatFailsEndsTheSearchWithItsError) {
  std::vector<chain_provider::link> links;
  links.push_back(
      {"broken", std::make_unique<fixed>(core::fail(core::errc::credentials, "half set")), {}});
  auto later = std::make_unique<fixed>(credentials{"B", "s", "", {}, "later"});
  auto* later_ptr = later.get();
  links.push_back({"later", std::move(later), {}});
  chain_provider chain(std::move(links));
  EXPECT_EQ(chain.get().error().message, "half set");
  EXPECT_EQ(later_ptr->calls, 0);
}

TEST(Chain, ListsEverythingTriedWhenNothingApplies) {
  std::vector<chain_provider::link> links;
  links.push_back({"a", std::make_unique<fixed>(core::fail(core::errc::io, "x")),
                   [] { return std::optional<std::string>("A not set"); }});
  links.push_back({"last",
                   std::make_unique<fixed>(core::fail(core::errc::timeout, "no answer")),
                   {},
                   /*failure_is_absence=*/true});
  chain_provider chain(std::move(links));
  const auto c = chain.get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::credentials);
  EXPECT_EQ(c.error().message, "no AWS credentials found: tried a (A not set), last (no answer)");
}

class DefaultChain : public ::testing::Test {
 protected:
  testing::temp_dir dir;
  test::sts_fixture sts;
  testing::capturing_sink sink;
  logging::logger log{sink, sts.clock, "test", logging::level::debug};
  vars env{{"HOME", dir.path().string()}, {"PATH", "/usr/bin:/bin"}};

  std::unique_ptr<credentials_provider> chain() {
    return make_default_chain(chain_dependencies{
        core::map_environment(env), &sts.clock, &sts.transport, sts.target(), &log, &sts.children});
  }
  void imds_answers() {
    sts.transport.respond(200, "ToKeN")
        .respond(200, "role")
        .respond(200, test::json_credentials("ASIAIMDS", "SeCrEt", "ToKeN",
                                             sts.clock.now() + hours{6}, R"("Code":"Success",)"));
  }
};

TEST_F(DefaultChain, EnvironmentKeysWinAndInstanceMetadataIsNeverProbed) {
  env["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env["AWS_SECRET_ACCESS_KEY"] = "SeCrEt";
  env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/c";
  dir.write(".aws/credentials",
            "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  const auto c = chain()->get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->provider, "environment");
  EXPECT_TRUE(sts.transport.requests().empty());
}

TEST_F(DefaultChain, HalfSetEnvironmentIsAnErrorAndNothingElseIsTried) {
  env["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  dir.write(".aws/credentials",
            "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  const auto c = chain()->get();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  EXPECT_TRUE(sts.transport.requests().empty());
}

TEST_F(DefaultChain, WebIdentityComesBeforeTheProfile) {
  env["AWS_WEB_IDENTITY_TOKEN_FILE"] = dir.write("jwt", "ToKeNJwt");
  env["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/irsa";
  dir.write(".aws/credentials",
            "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  sts.transport.respond(
      200, test::sts_credentials_xml("AssumeRoleWithWebIdentity", "ASIAWEB", "SeCrEt", "ToKeN",
                                     sts.clock.now() + hours{1}));
  const auto c = chain()->get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->provider, "web_identity");
  EXPECT_EQ(sts.transport.requests().size(), 1U);
}

TEST_F(DefaultChain, ProfileComesBeforeContainerAndInstanceMetadata) {
  env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/c";
  dir.write(".aws/credentials",
            "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = s\n");
  const auto c = chain()->get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->provider, "profile:default");
  EXPECT_TRUE(sts.transport.requests().empty());
}

TEST_F(DefaultChain, AProfileWithoutCredentialsFallsThroughToTheContainer) {
  dir.write(".aws/config", "[default]\nregion = eu-west-1\n");
  env["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/c";
  sts.transport.respond(
      200, test::json_credentials("ASIACONT", "SeCrEt", "ToKeN", sts.clock.now() + hours{6}));
  const auto c = chain()->get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->provider, "container");
  EXPECT_EQ(sts.transport.requests().size(), 1U) << "instance metadata not asked";
}

TEST_F(DefaultChain, InstanceMetadataIsTheLastResort) {
  imds_answers();
  const auto c = chain()->get();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->provider, "imds");
}

TEST_F(DefaultChain, NothingConfiguredListsEverySourceAfterOneQuickProbe) {
  sts.transport.fail(core::errc::timeout, "timed out");
  const auto c = chain()->get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::credentials);
  const std::string& m = c.error().message;
  EXPECT_EQ(m.rfind("no AWS credentials found: tried environment (AWS_ACCESS_KEY_ID not set), "
                    "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set), shared config files "
                    "(profile default: no " +
                        dir.file(".aws/credentials") + ", no " + dir.file(".aws/config") +
                        "), container (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and _FULL_URI not "
                        "set), EC2 instance metadata (EC2 instance metadata at "
                        "http://169.254.169.254 is not reachable (no answer in time)",
                    0),
            0U)
      << m;
  ASSERT_EQ(sts.transport.requests().size(), 1U);
  EXPECT_EQ(sts.transport.requests()[0].method, "PUT");
}

TEST_F(DefaultChain, DisabledInstanceMetadataIsNotProbed) {
  env["AWS_EC2_METADATA_DISABLED"] = "true";
  const auto c = chain()->get();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("EC2 instance metadata (AWS_EC2_METADATA_DISABLED=true)"),
            std::string::npos);
  EXPECT_TRUE(sts.transport.requests().empty());
}

TEST_F(DefaultChain, CachesAndLogsWhichSourceSuppliedTheCredentials) {
  imds_answers();
  auto p = chain();
  ASSERT_TRUE(p->get());
  ASSERT_TRUE(p->get());
  EXPECT_EQ(sts.transport.requests().size(), 3U);
  EXPECT_TRUE(sink.contains(R"("credentials_provider":"imds")"));
  EXPECT_TRUE(sink.contains(R"("credentials_expiration":"2023-11-15T04:13:20Z")"));
}

}  // namespace
}  // namespace cwp::aws
