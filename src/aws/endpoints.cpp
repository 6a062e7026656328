#include "aws/endpoints.h"

#include <algorithm>
#include <cctype>

namespace cwp::aws {
namespace {

bool env_true(const core::environment& env, std::string_view name) {
  auto v = env.non_empty(name);
  if (!v) return false;
  std::string s = *v;
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s == "true";
}

core::result<endpoint> from_override(const std::string& variable, const std::string& value,
                                     const service_id& service, std::string_view region) {
  auto url = http::url::parse(value);
  if (!url) {
    return core::fail(core::errc::invalid_argument, variable + ": " + url.error().message);
  }
  return endpoint{*url, std::string(region), std::string(service.signing_name), variable};
}

}  // namespace

core::result<std::string> validate_region(std::string_view region) {
  const bool valid = !region.empty() && region.size() <= 64 &&
                     std::all_of(region.begin(), region.end(), [](char c) {
                       return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                     });
  if (!valid) {
    return core::fail(core::errc::invalid_argument,
                      "region '" + std::string(region) +
                          "' is not a valid AWS region name (expected something like "
                          "ap-southeast-2: lowercase letters, digits and dashes)");
  }
  return std::string(region);
}

core::result<endpoint> resolve_endpoint(const service_id& service, std::string_view region,
                                        const core::environment& env) {
  if (!env_true(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) {
    const std::string specific = "AWS_ENDPOINT_URL_" + std::string(service.env_suffix);
    if (auto v = env.non_empty(specific)) return from_override(specific, *v, service, region);
    if (auto v = env.non_empty("AWS_ENDPOINT_URL")) {
      return from_override("AWS_ENDPOINT_URL", *v, service, region);
    }
  }
  // Partition rules: China regions live under amazonaws.com.cn; FIPS and dual-stack variants
  // are opt-in (AWS_USE_FIPS_ENDPOINT / AWS_USE_DUALSTACK_ENDPOINT), as in the SDKs.
  const bool china = region.starts_with("cn-");
  const bool fips = env_true(env, "AWS_USE_FIPS_ENDPOINT");
  const bool dualstack = env_true(env, "AWS_USE_DUALSTACK_ENDPOINT");
  std::string host =
      std::string(service.signing_name) + (fips ? "-fips." : ".") + std::string(region) + ".";
  if (dualstack) {
    host += china ? "api.amazonwebservices.com.cn" : "api.aws";
  } else {
    host += china ? "amazonaws.com.cn" : "amazonaws.com";
  }
  auto url = http::url::parse("https://" + host);
  if (!url) return tl::unexpected(url.error());
  return endpoint{*url, std::string(region), std::string(service.signing_name), "default"};
}

}  // namespace cwp::aws
