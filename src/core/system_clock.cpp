#include <thread>

#include "core/clock.h"

namespace cwp::core {

sys_time system_clock::now() const { return std::chrono::system_clock::now(); }

std::chrono::steady_clock::time_point system_clock::monotonic() const {
  return std::chrono::steady_clock::now();
}

void system_clock::sleep_for(std::chrono::nanoseconds d) { std::this_thread::sleep_for(d); }

}  // namespace cwp::core
