#pragma once
// Creates tomorrow's log stream ahead of time, once a day per process, at a moment drawn at
// random across the day, so that the midnight roll-over of a fleet sharing a `{date}` stream
// costs no CreateLogStream burst: every host's first PutLogEvents into the new day's stream just
// succeeds (publisher puts first). 10,000 hosts spread their one call over 23 hours: about one
// call every 8 seconds, against CreateLogStream's 50 TPS account quota. An existing stream
// (another host made it first) counts as done.
//
// The moment is drawn in [00:00, 23:00) UTC of each day (in [now, 23:00) on the day the process
// starts; a process starting after 23:00 creates nothing that day), so the last hour leaves room
// for retries: a failed attempt is repeated after each later delivery. The first failure of a
// day is one WARN line; the heartbeats are never held back by it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "cloudwatch/names.h"
#include "cloudwatch/publisher.h"
#include "core/clock.h"
#include "logging/logger.h"

namespace cwp::cloudwatch {

// The decision alone (pure; the fleet simulation drives it too).
class precreate_plan {
 public:
  static constexpr std::chrono::hours window{23};

  precreate_plan(stream_names names, std::uint64_t seed) : names_(std::move(names)), rng_(seed) {}

  // Tomorrow's stream name when it is time to create it and it is not done yet today.
  std::optional<std::string> due(core::sys_time now);
  // Tomorrow's stream exists (created or found): nothing more to do today.
  void done() { done_ = true; }
  // Today's moment, once `due` has seen the day (for tests and the simulation).
  std::optional<core::sys_time> moment() const { return moment_; }

 private:
  stream_names names_;
  std::mt19937_64 rng_;
  std::optional<std::chrono::sys_days> day_;
  std::optional<core::sys_time> moment_;  // empty: nothing to do on day_
  bool done_{false};
};

class stream_precreator {
 public:
  stream_precreator(publisher& pub, const logging::logger& log, stream_names names,
                    std::uint64_t seed)
      : pub_(&pub), log_(&log), plan_(std::move(names), seed) {}

  // After a delivery run (worker thread, like the publisher): creates tomorrow's stream if due.
  void after_delivery(core::sys_time now);

 private:
  publisher* pub_;
  const logging::logger* log_;
  precreate_plan plan_;
  std::optional<std::chrono::sys_days> warned_on_;
};

}  // namespace cwp::cloudwatch
