#include "support/fake_clock.h"

namespace cwp::testing {

void fake_clock::sleep_for(std::chrono::nanoseconds d) {
  {
    const std::lock_guard lock(mutex_);
    sleeps_.push_back(d);
  }
  advance(d);
}

void fake_clock::advance(std::chrono::nanoseconds d) {
  const std::lock_guard lock(mutex_);
  wall_ += std::chrono::duration_cast<core::sys_time::duration>(d);
  mono_ += d;
}

}  // namespace cwp::testing
