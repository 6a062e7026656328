#pragma once
// A publisher as the monitoring tests see it: EMF on with LogGroup and Host, the default
// heartbeat schedule, and the jobs a test adds.

#include <string_view>

#include "monitoring/alarms.h"

namespace cwp::monitoring::testing {

inline schedule::cron_expression cron(std::string_view text) {
  return *schedule::cron_expression::parse(text);
}

inline deployment publisher(std::vector<watched_job> jobs = {}) {
  return deployment{
      "ap-southeast-2",
      "/monorepo-fem/heartbeat",
      cloudwatch::emf_settings{"CloudWatchPublisher",
                               {{"LogGroup", "/monorepo-fem/heartbeat"}, {"Host", "node-7"}}},
      cron("*/1 * * * *"),
      std::chrono::milliseconds{0},
      std::move(jobs)};
}

inline watched_job job(std::string name, std::string_view schedule,
                       std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
  return watched_job{std::move(name), cron(schedule), timeout};
}

// The three jobs of the dashboard's acceptance test.
inline std::vector<watched_job> three_jobs() {
  using namespace std::chrono_literals;
  return {job("backup", "0 3 * * *", 10min), job("cleanup", "@hourly"),
          job("sync-orders", "*/5 * * * *", 4min)};
}

}  // namespace cwp::monitoring::testing
