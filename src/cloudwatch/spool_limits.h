#pragma once
// The bounds on what a shipper keeps undelivered (CWP_SPOOL_MAX_EVENTS, CWP_SPOOL_MAX_BYTES):
// a value of its own so the configuration names it without depending on the shipper.

#include <cstddef>
#include <cstdint>

namespace cwp::cloudwatch {

struct spool_limits {
  static constexpr std::size_t default_max_events = 100'000;
  static constexpr std::uint64_t default_max_bytes = 32ULL * 1024 * 1024;
  std::size_t max_events{default_max_events};
  // Counted as CloudWatch counts a batch: message bytes + 26 per event.
  std::uint64_t max_bytes{default_max_bytes};
};

}  // namespace cwp::cloudwatch
