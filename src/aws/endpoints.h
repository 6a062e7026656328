#pragma once
// Endpoint resolution as the AWS SDKs do it: AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL,
// then the regional endpoint of the region's partition. An override replaces scheme, host,
// port and path, but requests are still signed for the resolved region and service.

#include <string>
#include <string_view>

#include "core/env.h"
#include "core/error.h"
#include "http/message.h"

namespace cwp::aws {

struct service_id {
  std::string_view signing_name;  // SigV4 service name, also the endpoint host prefix
  std::string_view env_suffix;    // AWS_ENDPOINT_URL_<env_suffix>
};

inline constexpr service_id logs_service{"logs", "CLOUDWATCH_LOGS"};
inline constexpr service_id sts_service{"sts", "STS"};

struct endpoint {
  http::url url;
  std::string signing_region;
  std::string signing_name;
  std::string source;  // the variable that set it, or "default"
};

// Checks that a region looks like one ("us-east-1"): lowercase letters, digits and dashes.
// The region becomes part of a host name, so anything else is a configuration error.
core::result<std::string> validate_region(std::string_view region);

core::result<endpoint> resolve_endpoint(const service_id& service, std::string_view region,
                                        const core::environment& env);

}  // namespace cwp::aws
