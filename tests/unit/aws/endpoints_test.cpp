#include "aws/endpoints.h"

#include <gtest/gtest.h>

namespace cwp::aws {
namespace {

TEST(Endpoints, DefaultsToTheRegionalHttpsEndpoint) {
  const auto ep = resolve_endpoint(logs_service, "ap-southeast-2", core::map_environment({}));
  ASSERT_TRUE(ep);
  EXPECT_EQ(ep->url.origin(), "https://logs.ap-southeast-2.amazonaws.com");
  EXPECT_EQ(ep->signing_region, "ap-southeast-2");
  EXPECT_EQ(ep->signing_name, "logs");
  EXPECT_EQ(ep->source, "default");
}

TEST(Endpoints, ChinaRegionsUseTheirPartitionsDomain) {
  const auto ep = resolve_endpoint(sts_service, "cn-north-1", core::map_environment({}));
  EXPECT_EQ(ep->url.host, "sts.cn-north-1.amazonaws.com.cn");
}

TEST(Endpoints, FipsAndDualStackAreOptIn) {
  const auto ep = resolve_endpoint(logs_service, "us-east-1",
                                   core::map_environment({{"AWS_USE_FIPS_ENDPOINT", "true"},
                                                          {"AWS_USE_DUALSTACK_ENDPOINT", "TRUE"}}));
  EXPECT_EQ(ep->url.host, "logs-fips.us-east-1.api.aws");
}

TEST(Endpoints, ServiceSpecificVariableBeatsTheGlobalOne) {
  const auto env =
      core::map_environment({{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
                             {"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:2"}});
  const auto logs = resolve_endpoint(logs_service, "us-west-2", env);
  const auto sts = resolve_endpoint(sts_service, "us-west-2", env);
  EXPECT_EQ(logs->url.port, 2);
  EXPECT_EQ(logs->source, "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS");
  EXPECT_EQ(logs->signing_region, "us-west-2");
  EXPECT_EQ(sts->url.port, 1);
  EXPECT_EQ(sts->source, "AWS_ENDPOINT_URL");
}

TEST(Endpoints, IgnoreConfiguredEndpointUrlsRestoresTheDefault) {
  const auto env = core::map_environment({{"AWS_ENDPOINT_URL", "http://127.0.0.1:1"},
                                          {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"}});
  EXPECT_EQ(resolve_endpoint(logs_service, "eu-west-1", env)->source, "default");
}

TEST(Endpoints, AnInvalidOverrideNamesTheVariable) {
  const auto ep =
      resolve_endpoint(logs_service, "eu-west-1",
                       core::map_environment({{"AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "ftp://x"}}));
  ASSERT_FALSE(ep);
  EXPECT_EQ(ep.error().code, core::errc::invalid_argument);
  EXPECT_NE(ep.error().message.find("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"), std::string::npos);
}

TEST(Region, RejectsAnythingThatCannotBeAHostLabel) {
  EXPECT_TRUE(validate_region("us-gov-west-1"));
  EXPECT_FALSE(validate_region(""));
  EXPECT_FALSE(validate_region("US-EAST-1"));
  EXPECT_FALSE(validate_region("evil.com/x"));
}

}  // namespace
}  // namespace cwp::aws
