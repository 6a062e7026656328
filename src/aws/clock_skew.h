#pragma once
// The signing clock: local time plus an offset learned from servers' Date headers, as the
// JS/Java SDKs do. AWS rejects signatures more than 5 minutes off server time; a host with a
// wrong clock still publishes once one response has told us the server's time.

#include <atomic>
#include <chrono>
#include <optional>

#include "core/clock.h"
#include "http/message.h"

namespace cwp::aws {

class clock_skew {
 public:
  // Offsets smaller than this are left alone: AWS tolerates them and Date has 1 s resolution.
  static constexpr std::chrono::minutes correction_threshold{4};

  explicit clock_skew(const core::clock& c) : clock_(&c) {}

  // Now, as the servers see it.
  core::sys_time now() const;
  // Learns from a response's Date header. Returns true when the offset changed.
  bool observe(const http::response& response);
  std::chrono::milliseconds offset() const { return std::chrono::milliseconds{offset_ms_.load()}; }

 private:
  const core::clock* clock_;
  std::atomic<long long> offset_ms_{0};
};

}  // namespace cwp::aws
