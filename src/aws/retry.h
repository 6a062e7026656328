#pragma once
// The SDKs' "standard" retry mode: which failures are retried, how long to back off (full
// jitter, capped), and the retry quota (token bucket) that stops retry storms.

#include <chrono>
#include <mutex>
#include <string_view>

#include "core/env.h"
#include "core/error.h"

namespace cwp::aws {

// The SDKs' default for standard mode: the first try plus two retries.
inline constexpr int default_max_attempts = 3;
// Backoff = U(0,1) * min(base * 2^(attempt-1), cap): botocore standard mode.
inline constexpr std::chrono::milliseconds backoff_base{1000};
inline constexpr std::chrono::milliseconds backoff_cap{20000};

struct retry_settings {
  int max_attempts{default_max_attempts};
  std::chrono::milliseconds base{backoff_base};
  std::chrono::milliseconds cap{backoff_cap};
};

// Reads AWS_MAX_ATTEMPTS (>= 1) and AWS_RETRY_MODE (standard; legacy and adaptive are accepted
// and run as standard, which is what a single-writer shipper needs).
core::result<retry_settings> retry_settings_from(const core::environment& env);

bool is_throttling(const core::error& e);
// 5xx, RequestTimeout-style codes, and transport failures (refused, reset, timeout).
bool is_transient(const core::error& e);
bool is_retryable(const core::error& e);
// Codes that mean "your clock is off" when the server's Date disagrees with ours.
bool is_clock_skew_code(std::string_view code);
// Codes that mean the session token expired or is unknown: refresh credentials once.
bool is_expired_credentials_code(std::string_view code);

// attempt: 1-based number of the attempt that just failed. uniform01: a draw from [0, 1).
std::chrono::milliseconds backoff_delay(const retry_settings& s, int attempt, double uniform01);

// Token bucket shared by every call of one client: a retry costs 5 tokens (10 after a
// timeout), a success refunds the retry's cost, or adds 1 when no retry was needed.
class retry_quota {
 public:
  static constexpr int capacity = 500;
  static constexpr int retry_cost = 5;
  static constexpr int timeout_retry_cost = 10;
  static constexpr int no_retry_increment = 1;

  // Takes the cost of retrying after `e`; returns 0 (no retry allowed) when not enough tokens.
  int acquire(const core::error& e);
  // After a success; `last_retry_cost` is 0 when the call succeeded on its first attempt.
  void release(int last_retry_cost);
  int available() const;

 private:
  mutable std::mutex mutex_;
  int tokens_{capacity};
};

}  // namespace cwp::aws
