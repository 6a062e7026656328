#pragma once
// Sends one AWS API operation: signs each attempt with fresh credentials and time, retries what
// the standard retry mode retries, refreshes credentials once after an expired-token answer and
// corrects the signing clock once after a clock-skew answer. Protocol-neutral: the callers
// (CloudWatch Logs JSON, STS query) build the body and parse the result.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "aws/clock_skew.h"
#include "aws/credentials.h"
#include "aws/endpoints.h"
#include "aws/retry.h"
#include "http/transport.h"
#include "logging/logger.h"

namespace cwp::aws {

// Everything the clients of one process share: the transport, credentials, clocks, retry
// policy and quota, and the randomness behind jitter. Owned by the composition root.
struct client_context {
  http::transport* transport{nullptr};
  credentials_provider* credentials{nullptr};
  core::clock* clock{nullptr};
  clock_skew* skew{nullptr};
  retry_settings retry;
  std::shared_ptr<retry_quota> quota{std::make_shared<retry_quota>()};
  std::function<double()> uniform01;  // jitter source, [0, 1)
  http::send_options timeouts;
  const logging::logger* log{nullptr};           // optional: a WARN line per retry
  std::atomic<std::uint64_t>* retries{nullptr};  // optional: counts attempts after the first
};

class service_client {
 public:
  service_client(client_context context, endpoint ep)
      : ctx_(std::move(context)), endpoint_(std::move(ep)) {}

  // `req` carries method, headers (Content-Type, X-Amz-Target...) and body; the target URL,
  // Host, X-Amz-Date, session token and Authorization are filled in per attempt.
  // Unsigned calls (STS AssumeRoleWithWebIdentity) pass sign = false.
  // The body is hashed once and never copied: each attempt re-signs the same request.
  core::result<http::response> call(std::string_view operation, http::request req,
                                    bool sign = true) const;

  const endpoint& target() const { return endpoint_; }
  const client_context& context() const { return ctx_; }

 private:
  // Prepares `req` for one attempt: the caller's headers (`base`) aimed at the endpoint, signed
  // with the provider's current credentials (returned in `used`) when `sign`; `body_hash` is
  // the body's SHA-256.
  core::result<void> attempt_request(http::request& req, const std::vector<http::header>& base,
                                     std::string_view body_hash, bool sign,
                                     credentials& used) const;
  // Before the retry of a failed `attempt`: logs the failure and sleeps the backoff delay.
  void back_off(std::string_view operation, int attempt, const core::error& last) const;

  client_context ctx_;
  endpoint endpoint_;
};

}  // namespace cwp::aws
