#pragma once
// A clock that only moves when told to. sleep_for advances it and records the request, so
// backoff and scheduling logic is tested without sleeping. Safe to use from several threads (send's
// delivery threads sign and back off while the test's thread reads lines).

#include <chrono>
#include <mutex>
#include <vector>

#include "core/clock.h"

namespace cwp::testing {

class fake_clock final : public core::clock {
 public:
  static constexpr core::sys_time default_start{std::chrono::seconds{1'700'000'000}};

  explicit fake_clock(core::sys_time start = default_start) : wall_(start) {}

  core::sys_time now() const override {
    const std::lock_guard lock(mutex_);
    return wall_;
  }
  std::chrono::steady_clock::time_point monotonic() const override {
    const std::lock_guard lock(mutex_);
    return mono_;
  }
  void sleep_for(std::chrono::nanoseconds d) override;

  // Moves both clocks forward together (time passing).
  void advance(std::chrono::nanoseconds d);
  // Moves only the wall clock (an operator or NTP setting the time), either direction.
  void jump_wall(std::chrono::nanoseconds d) {
    const std::lock_guard lock(mutex_);
    wall_ += std::chrono::duration_cast<core::sys_time::duration>(d);
  }
  void set_wall(core::sys_time t) {
    const std::lock_guard lock(mutex_);
    wall_ = t;
  }

  const std::vector<std::chrono::nanoseconds>& sleeps() const { return sleeps_; }

 private:
  mutable std::mutex mutex_;
  core::sys_time wall_;
  std::chrono::steady_clock::time_point mono_{std::chrono::hours{1}};
  std::vector<std::chrono::nanoseconds> sleeps_;
};

}  // namespace cwp::testing
