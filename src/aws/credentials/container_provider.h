#pragma once
// Credentials from the container credentials endpoint: the ECS task role
// (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, served at 169.254.170.2) or a full URI such as EKS Pod
// Identity's (AWS_CONTAINER_CREDENTIALS_FULL_URI), with an optional Authorization token.

#include <chrono>
#include <optional>
#include <string>

#include "aws/credentials.h"
#include "core/clock.h"
#include "core/env.h"
#include "http/transport.h"

namespace cwp::aws {

class container_provider final : public credentials_provider {
 public:
  // botocore's settings: the endpoint is local, so a slow answer means a broken agent.
  static constexpr std::chrono::seconds request_timeout{2};
  static constexpr int max_attempts = 3;
  static constexpr std::chrono::seconds retry_delay{1};
  static constexpr std::size_t max_token_file_bytes = std::size_t{16} * 1024;

  // `transport` and `clock` (which paces retries) must outlive the provider.
  container_provider(core::environment env, http::transport& transport, core::clock& clock)
      : env_(std::move(env)), transport_(&transport), clock_(&clock) {}

  // True when either URI variable is set (the chain then stops here).
  bool configured() const;

  // Fails with errc::credentials for a disallowed or unparsable URI (naming the variable), an
  // unreadable token file or a token with a line break; after the attempts, with the transport's
  // code (network, timeout) or errc::http for an error status. Messages name the endpoint's
  // origin, never its path (an ECS relative URI is a capability) or the token.
  core::result<credentials> get() override;

 private:
  core::environment env_;
  http::transport* transport_;
  core::clock* clock_;
};

// Whether plain HTTP may carry credentials to `host`: loopback (127.0.0.0/8, ::1, "localhost"),
// the ECS endpoint 169.254.170.2 and the EKS Pod Identity endpoints 169.254.170.23 and
// fd00:ec2::23. Any https host is allowed (not checked here).
bool is_allowed_container_http_host(const std::string& host);

}  // namespace cwp::aws
