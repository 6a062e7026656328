#pragma once
// The EC2 instance metadata service, IMDSv2 only: every GET carries a session token obtained
// with PUT /latest/api/token. A service that refuses the token request (an IMDSv1-only one) is
// reported, never used without a token. Short timeouts: off EC2 the address does not answer.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/env.h"
#include "core/error.h"
#include "http/transport.h"

namespace cwp::aws {

struct imds_settings {
  bool disabled{false};                                        // AWS_EC2_METADATA_DISABLED=true
  http::url endpoint;                                          // scheme://host[:port], no path
  std::chrono::milliseconds timeout{std::chrono::seconds{1}};  // per request (botocore: 1 s)
  int attempts{1};                                             // per request (botocore: 1)

  // AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT (else http://169.254.169.254,
  // or http://[fd00:ec2::254] with AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6),
  // AWS_METADATA_SERVICE_TIMEOUT (seconds) and AWS_METADATA_SERVICE_NUM_ATTEMPTS. An invalid
  // value fails with errc::invalid_argument naming the variable.
  static core::result<imds_settings> from_environment(const core::environment& env);
};

// Thread-safe; the token is shared by all callers and renewed before its TTL runs out.
class imds_client {
 public:
  // The longest TTL IMDS grants (6 h).
  static constexpr std::chrono::seconds token_ttl{21600};
  // Renew this long before the TTL ends so a token never expires between use and arrival.
  static constexpr std::chrono::minutes token_renew_margin{1};

  // `transport` and `clock` must outlive the client.
  imds_client(http::transport& transport, const core::clock& clock, imds_settings settings)
      : transport_(&transport), clock_(&clock), settings_(std::move(settings)) {}

  // The body of GET `path` (e.g. "/latest/meta-data/instance-id"). A 401 (token expired) gets a
  // new token and one more try. Fails with the transport's code (network, timeout) when the
  // service does not answer, errc::credentials when it refuses the token request, errc::http
  // for other error statuses.
  core::result<std::string> get(std::string_view path);

  const imds_settings& settings() const { return settings_; }

 private:
  core::result<std::string> token();
  core::result<http::response> send(const http::request& req) const;

  http::transport* transport_;
  const core::clock* clock_;
  imds_settings settings_;
  std::mutex mutex_;
  std::optional<std::string> token_;  // guarded by mutex_
  std::chrono::steady_clock::time_point token_renew_at_;
};

// The instance's region (GET /latest/meta-data/placement/region), for region resolution.
core::result<std::string> imds_region(imds_client& client);
core::result<std::string> imds_region(http::transport& transport, const core::clock& clock,
                                      const core::environment& env);
// The instance id (GET /latest/meta-data/instance-id), for the {instance_id} stream placeholder.
core::result<std::string> imds_instance_id(imds_client& client);
core::result<std::string> imds_instance_id(http::transport& transport, const core::clock& clock,
                                           const core::environment& env);

}  // namespace cwp::aws
