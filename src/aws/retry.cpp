#include "aws/retry.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace cwp::aws {
namespace {

// botocore standard mode's throttling list (matched on the error code only).
constexpr std::array<std::string_view, 14> throttling_codes = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException"};

constexpr std::array<std::string_view, 3> transient_codes = {
    "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"};

constexpr std::array<int, 4> transient_statuses = {500, 502, 503, 504};

constexpr std::array<std::string_view, 6> clock_skew_codes = {
    "AuthFailure",        "InvalidSignatureException", "RequestExpired",
    "RequestInTheFuture", "RequestTimeTooSkewed",      "SignatureDoesNotMatch"};

constexpr std::array<std::string_view, 5> expired_credentials_codes = {
    "ExpiredToken", "ExpiredTokenException", "RequestExpiredToken", "InvalidClientTokenId",
    "UnrecognizedClientException"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view code) {
  return std::find(list.begin(), list.end(), code) != list.end();
}

}  // namespace

core::result<retry_settings> retry_settings_from(const core::environment& env) {
  retry_settings s;
  if (auto v = env.non_empty("AWS_MAX_ATTEMPTS")) {
    const std::string& text = *v;
    int n = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || ptr != text.data() + text.size() || n < 1 || n > 20) {
      return core::fail(core::errc::invalid_argument,
                        "AWS_MAX_ATTEMPTS: '" + *v +
                            "' is not a number of attempts between 1 and 20 (1 = no retries)");
    }
    s.max_attempts = n;
  }
  if (auto v = env.non_empty("AWS_RETRY_MODE")) {
    std::string mode = *v;
    std::transform(mode.begin(), mode.end(), mode.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (mode != "standard" && mode != "legacy" && mode != "adaptive") {
      return core::fail(core::errc::invalid_argument,
                        "AWS_RETRY_MODE: '" + *v + "' is not one of standard, adaptive, legacy");
    }
  }
  return s;
}

bool is_throttling(const core::error& e) {
  return contains(throttling_codes, e.remote_code) || e.http_status == 429;
}

bool is_transient(const core::error& e) {
  switch (e.code) {
    case core::errc::network:
    case core::errc::timeout:
      return true;
    case core::errc::aws:
    case core::errc::http:
      return contains(transient_codes, e.remote_code) ||
             std::find(transient_statuses.begin(), transient_statuses.end(), e.http_status) !=
                 transient_statuses.end();
    default:
      return false;
  }
}

bool is_retryable(const core::error& e) { return is_throttling(e) || is_transient(e); }

bool is_clock_skew_code(std::string_view code) { return contains(clock_skew_codes, code); }

bool is_expired_credentials_code(std::string_view code) {
  return contains(expired_credentials_codes, code);
}

std::chrono::milliseconds backoff_delay(const retry_settings& s, int attempt, double uniform01) {
  const int exponent = std::clamp(attempt - 1, 0, 30);
  const double ceiling = std::min(static_cast<double>(s.base.count()) * std::ldexp(1.0, exponent),
                                  static_cast<double>(s.cap.count()));
  const double u = std::clamp(uniform01, 0.0, 1.0);
  return std::chrono::milliseconds{static_cast<long long>(std::floor(u * ceiling))};
}

int retry_quota::acquire(const core::error& e) {
  const int cost = e.code == core::errc::timeout ? timeout_retry_cost : retry_cost;
  const std::lock_guard lock(mutex_);
  if (tokens_ < cost) return 0;
  tokens_ -= cost;
  return cost;
}

void retry_quota::release(int last_retry_cost) {
  const std::lock_guard lock(mutex_);
  tokens_ =
      std::min(capacity, tokens_ + (last_retry_cost > 0 ? last_retry_cost : no_retry_increment));
}

int retry_quota::available() const {
  const std::lock_guard lock(mutex_);
  return tokens_;
}

}  // namespace cwp::aws
