#include "http/proxy.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace cwp::http {
namespace {

using variables = std::map<std::string, std::string, std::less<>>;

env_lookup env_of(variables vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

proxy_settings settings_of(variables vars) {
  auto settings = proxy_settings::from_environment(env_of(std::move(vars)));
  EXPECT_TRUE(settings.has_value()) << settings.error().message;
  return settings ? std::move(*settings) : proxy_settings{};
}

// The proxy's host:port for `target_url`, or "direct".
std::string route_of(const proxy_settings& settings, std::string_view target_url) {
  const auto target = url::parse(target_url);
  EXPECT_TRUE(target.has_value());
  const auto proxy = settings.select(*target);
  return proxy ? proxy->authority() : "direct";
}

TEST(ProxySettings, ConnectsDirectlyWithoutProxyVariables) {
  const auto settings = settings_of({});
  EXPECT_EQ(route_of(settings, "https://logs.us-east-1.amazonaws.com"), "direct");
  EXPECT_EQ(route_of(settings, "http://localhost:4566"), "direct");
}

TEST(ProxySettings, PicksProxyVariableByUrlScheme) {
  const auto settings = settings_of(
      {{"HTTPS_PROXY", "http://secure-proxy:3128"}, {"HTTP_PROXY", "plain-proxy:8080"}});
  EXPECT_EQ(route_of(settings, "https://logs.us-east-1.amazonaws.com"), "secure-proxy:3128");
  EXPECT_EQ(route_of(settings, "http://moto:5000"), "plain-proxy:8080");
}

TEST(ProxySettings, HttpsProxyDoesNotApplyToHttpUrls) {
  const auto settings = settings_of({{"https_proxy", "http://secure-proxy:3128"}});
  EXPECT_EQ(route_of(settings, "http://moto:5000"), "direct");
}

TEST(ProxySettings, LowerCaseVariableWinsOverUpperCase) {
  const auto settings = settings_of({{"https_proxy", "http://lower:1"},
                                     {"HTTPS_PROXY", "http://upper:2"},
                                     {"HTTP_PROXY", "http://upper:3"}});
  EXPECT_EQ(route_of(settings, "https://example.com"), "lower:1");
  EXPECT_EQ(route_of(settings, "http://example.com"), "upper:3");
}

TEST(ProxySettings, EmptyLowerCaseVariableMeansNoProxy) {
  const auto settings = settings_of({{"https_proxy", ""}, {"HTTPS_PROXY", "http://upper:2"}});
  EXPECT_EQ(route_of(settings, "https://example.com"), "direct");
}

TEST(ProxySettings, AllProxyIsTheFallbackForBothSchemes) {
  const auto settings =
      settings_of({{"ALL_PROXY", "http://everything:3128"}, {"http_proxy", "http://plain:8080"}});
  EXPECT_EQ(route_of(settings, "https://example.com"), "everything:3128");
  EXPECT_EQ(route_of(settings, "http://example.com"), "plain:8080");
}

TEST(ProxySettings, ProxyPortDefaultsToEighty) {
  const auto settings = settings_of({{"https_proxy", "http://proxy.corp/"}});
  EXPECT_EQ(route_of(settings, "https://example.com"), "proxy.corp:80");
}

TEST(ProxySettings, NoProxyMatchesHostSuffixWithOrWithoutLeadingDot) {
  const auto settings =
      settings_of({{"https_proxy", "http://p:1"}, {"NO_PROXY", "internal.corp, .amazonaws.com"}});
  EXPECT_EQ(route_of(settings, "https://internal.corp"), "direct");
  EXPECT_EQ(route_of(settings, "https://api.internal.corp"), "direct");
  EXPECT_EQ(route_of(settings, "https://logs.us-east-1.amazonaws.com"), "direct");
  EXPECT_EQ(route_of(settings, "https://amazonaws.com"), "direct");
  EXPECT_EQ(route_of(settings, "https://notinternal.corp"), "p:1");
  EXPECT_EQ(route_of(settings, "https://internal.corp.evil.com"), "p:1");
}

TEST(ProxySettings, NoProxyMatchesExactAddresses) {
  const auto settings =
      settings_of({{"http_proxy", "http://p:1"}, {"no_proxy", "10.1.2.3,[::1],fe80::0:1"}});
  EXPECT_EQ(route_of(settings, "http://10.1.2.3"), "direct");
  EXPECT_EQ(route_of(settings, "http://10.1.2.4"), "p:1");
  EXPECT_EQ(route_of(settings, "http://[::1]:8080"), "direct");
  EXPECT_EQ(route_of(settings, "http://[fe80::1]"), "direct");
}

TEST(ProxySettings, NoProxyMatchesCidrBlocks) {
  const auto settings = settings_of(
      {{"http_proxy", "http://p:1"}, {"no_proxy", "10.0.0.0/8,192.168.4.0/22,fd00::/8"}});
  EXPECT_EQ(route_of(settings, "http://10.200.3.4"), "direct");
  EXPECT_EQ(route_of(settings, "http://11.0.0.1"), "p:1");
  EXPECT_EQ(route_of(settings, "http://192.168.7.255"), "direct");
  EXPECT_EQ(route_of(settings, "http://192.168.8.1"), "p:1");
  EXPECT_EQ(route_of(settings, "http://[fd12::1]"), "direct");
  EXPECT_EQ(route_of(settings, "http://[fe80::1]"), "p:1");
  EXPECT_EQ(route_of(settings, "http://ten.example"), "p:1");
}

TEST(ProxySettings, NoProxyStarBypassesEveryHost) {
  const auto settings = settings_of({{"https_proxy", "http://p:1"}, {"NO_PROXY", "*"}});
  EXPECT_EQ(route_of(settings, "https://logs.eu-west-1.amazonaws.com"), "direct");
}

TEST(ProxySettings, MetadataAddressesAreNeverProxied) {
  const auto settings = settings_of({{"http_proxy", "http://p:1"}});
  EXPECT_EQ(route_of(settings, "http://169.254.169.254/latest/api/token"), "direct");
  EXPECT_EQ(route_of(settings, "http://169.254.170.2/v2/credentials"), "direct");
  EXPECT_EQ(route_of(settings, "http://169.254.170.23/v1/credentials"), "direct");
  EXPECT_EQ(route_of(settings, "http://[fd00:ec2::23]/v1/credentials"), "direct");
  EXPECT_EQ(route_of(settings, "http://[fd00:ec2:0::254]/latest"), "direct");
  EXPECT_EQ(route_of(settings, "http://169.254.169.253"), "p:1");
}

TEST(ProxySettings, LoopbackIsProxiedUnlessNoProxyListsIt) {
  EXPECT_EQ(route_of(settings_of({{"http_proxy", "http://p:1"}}), "http://localhost:4566"), "p:1");
  EXPECT_EQ(
      route_of(settings_of({{"http_proxy", "http://p:1"}, {"no_proxy", "localhost,127.0.0.0/8"}}),
               "http://localhost:4566"),
      "direct");
  EXPECT_EQ(
      route_of(settings_of({{"http_proxy", "http://p:1"}, {"no_proxy", "localhost,127.0.0.0/8"}}),
               "http://127.0.0.1:4566"),
      "direct");
}

TEST(ProxyEndpoint, ParsesPercentEncodedCredentials) {
  const auto proxy = proxy_endpoint::parse("http://proxy%20user:p%40ss%3Aword@[::1]:3128");
  ASSERT_TRUE(proxy.has_value()) << proxy.error().message;
  EXPECT_EQ(proxy->host, "::1");
  EXPECT_EQ(proxy->port, 3128);
  EXPECT_EQ(proxy->username, "proxy user");
  EXPECT_EQ(proxy->password, "p@ss:word");
  EXPECT_EQ(proxy->authority(), "[::1]:3128");
}

TEST(ProxyEndpoint, RejectsSchemesOtherThanHttp) {
  EXPECT_FALSE(proxy_endpoint::parse("socks5://proxy:1080").has_value());
  EXPECT_FALSE(proxy_endpoint::parse("https://proxy:443").has_value());
}

TEST(ProxySettings, UnparsableProxyNamesTheVariableButNotThePassword) {
  const auto settings = proxy_settings::from_environment(
      env_of({{"HTTPS_PROXY", "http://user:hunter2@proxy:notaport"}}));
  ASSERT_FALSE(settings.has_value());
  EXPECT_EQ(settings.error().code, core::errc::invalid_argument);
  EXPECT_NE(settings.error().message.find("HTTPS_PROXY"), std::string::npos);
  EXPECT_EQ(settings.error().message.find("hunter2"), std::string::npos);
}

TEST(ProxySettings, InvalidCidrInNoProxyIsAnError) {
  const auto settings = proxy_settings::from_environment(env_of({{"NO_PROXY", "10.0.0.0/33"}}));
  ASSERT_FALSE(settings.has_value());
  EXPECT_EQ(settings.error().code, core::errc::invalid_argument);
  EXPECT_NE(settings.error().message.find("NO_PROXY"), std::string::npos);
}

}  // namespace
}  // namespace cwp::http
