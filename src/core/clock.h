#pragma once
// The clock seam: signing time, credential expiry, cron due times and backoff all read time
// through this interface, so tests drive them with a fake clock and never sleep.

#include <chrono>

namespace cwp::core {

using sys_time = std::chrono::system_clock::time_point;
using sys_ms = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;

class clock {
 public:
  clock() = default;
  clock(const clock&) = delete;
  clock& operator=(const clock&) = delete;
  clock(clock&&) = delete;
  clock& operator=(clock&&) = delete;
  virtual ~clock() = default;

  // Wall-clock time (UTC): what goes into signatures, event timestamps and cron evaluation.
  virtual sys_time now() const = 0;
  // Monotonic time: what measures intervals and deadlines; unaffected by clock jumps.
  virtual std::chrono::steady_clock::time_point monotonic() const = 0;
  // Blocks the caller for `d` (a fake clock advances itself instead).
  virtual void sleep_for(std::chrono::nanoseconds d) = 0;
};

// The real clocks of the machine.
class system_clock final : public clock {
 public:
  sys_time now() const override;
  std::chrono::steady_clock::time_point monotonic() const override;
  void sleep_for(std::chrono::nanoseconds d) override;
};

}  // namespace cwp::core
