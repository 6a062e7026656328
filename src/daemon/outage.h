#pragma once
// Says loudly when heartbeats are not reaching CloudWatch Logs, and when they are again. A
// failed delivery run starts an outage: one ERROR at once, naming how many events wait and since
// when (the oldest waiting event's time), then the same ERROR again at most every
// `repeat_every` while it lasts, so `grep ERROR` finds every outage and a long one stays visible
// without a line per retry. The first run that gets through ends it with one INFO line: how many
// events it delivered and how long the outage was (from the oldest waiting event to now).
//
// Used from one thread at a time (the delivery worker).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/clock.h"
#include "core/error.h"
#include "logging/logger.h"

namespace cwp::daemon {

class outage_reporter {
 public:
  static constexpr std::chrono::minutes repeat_every{5};

  outage_reporter(const logging::logger& log, const core::clock& clock, std::string log_group)
      : log_(&log), clock_(&clock), log_group_(std::move(log_group)) {}

  // A delivery run failed with `why`; `waiting` events are kept, the oldest stamped `oldest`.
  void failed(std::size_t waiting, std::optional<core::sys_time> oldest, const core::error& why);
  // A delivery run got through, delivering `delivered` events: ends an ongoing outage.
  void delivered(std::size_t delivered);

  bool ongoing() const { return since_.has_value(); }

 private:
  const logging::logger* log_;
  const core::clock* clock_;
  std::string log_group_;
  std::optional<core::sys_time> since_;  // set while an outage lasts: the oldest waiting event
  std::chrono::steady_clock::time_point next_error_{};
};

}  // namespace cwp::daemon
