#include "aws/credentials/environment_provider.h"

#include <gtest/gtest.h>

namespace cwp::aws {
namespace {

TEST(EnvironmentCredentials, ReadsKeysAndSessionToken) {
  environment_provider p(core::map_environment({{"AWS_ACCESS_KEY_ID", "AKID"},
                                                {"AWS_SECRET_ACCESS_KEY", "s"},
                                                {"AWS_SESSION_TOKEN", "tok"}}));
  const auto c = p.get();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKID");
  EXPECT_EQ(c->session_token, "tok");
  EXPECT_EQ(c->provider, "environment");
  EXPECT_FALSE(c->expiration);
}

TEST(EnvironmentCredentials, AcceptsTheLegacySecurityTokenAlias) {
  environment_provider p(core::map_environment({{"AWS_ACCESS_KEY_ID", "AKID"},
                                                {"AWS_SECRET_ACCESS_KEY", "s"},
                                                {"AWS_SECURITY_TOKEN", "old"}}));
  EXPECT_EQ(p.get()->session_token, "old");
}

TEST(EnvironmentCredentials, MissingSecretNamesTheVariable) {
  environment_provider p(core::map_environment({{"AWS_ACCESS_KEY_ID", "AKID"}}));
  const auto c = p.get();
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::errc::credentials);
  EXPECT_NE(c.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  EXPECT_TRUE(p.configured());
}

TEST(EnvironmentCredentials, EmptyValuesCountAsMissing) {
  environment_provider p(
      core::map_environment({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", "s"}}));
  const auto c = p.get();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

}  // namespace
}  // namespace cwp::aws
