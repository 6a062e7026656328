#pragma once
// Keeps events that are not delivered yet and delivers them, oldest first, per stream, in
// batches within PutLogEvents limits, with their original timestamps. Nothing is dropped
// because delivery failed: only the bound (oldest dropped, counted and logged), the service's
// 14-day window and a definitive rejection of the batch drop events, each with an ERROR line.

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "cloudwatch/publisher.h"
#include "core/clock.h"

namespace cwp::cloudwatch {

struct delivery {
  std::size_t delivered{0};
  std::size_t rejected{0};  // refused by the service (too old/new): never reported as delivered
  std::size_t dropped{0};   // dropped here: over the bound, past the 14-day window, invalid
  std::size_t pending{0};   // still kept for a later attempt
  std::optional<core::error> error;  // why delivery stopped early
};

class shipper {
 public:
  static constexpr std::size_t default_max_pending_events = 100'000;

  shipper(publisher& pub, const logging::logger& log, const core::clock& clock,
          std::size_t max_pending_events = default_max_pending_events)
      : publisher_(&pub), log_(&log), clock_(&clock), max_pending_(max_pending_events) {}

  // Keeps an event for `stream`. When the bound is reached the oldest event is dropped.
  void enqueue(const std::string& stream, log_event event);
  // Tries to deliver everything kept. Stops at the first failure that may heal (network,
  // throttling, permissions being fixed) and keeps the rest for the next call.
  delivery flush(bool emf = false);

  std::size_t pending() const { return total_; }

 private:
  publisher* publisher_;
  const logging::logger* log_;
  const core::clock* clock_;
  std::size_t max_pending_;
  std::map<std::string, std::deque<log_event>, std::less<>> queues_;
  std::size_t total_{0};
};

}  // namespace cwp::cloudwatch
