// libFuzzer target: any bytes as a schedule. Parsing must not crash, and every schedule it
// accepts must yield strictly increasing, whole-second fire times without hanging.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "schedule/cron_expression.h"

namespace {

using cwp::core::sys_time;

// Starting points around the calendar's awkward spots: a leap day, a year end, a century
// year that is not leap, and a time before the epoch.
const sys_time starts[] = {
    sys_time{std::chrono::seconds{1'709'164'800}},  // 2024-02-29T00:00:00Z
    sys_time{std::chrono::seconds{1'767'225'599}},  // 2025-12-31T23:59:59Z
    sys_time{std::chrono::seconds{4'107'542'400}},  // 2100-03-01T00:00:00Z
    sys_time{std::chrono::seconds{-86'401}},        // 1969-12-30T23:59:59Z
};

constexpr int fires_per_start = 4;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto schedule = cwp::schedule::cron_expression::parse(text);
  if (!schedule) return 0;

  if (!cwp::schedule::cron_expression::parse(schedule->text())) std::abort();
  for (const sys_time start : starts) {
    sys_time t = start;
    for (int i = 0; i < fires_per_start; ++i) {
      const sys_time next = schedule->next_after(t);
      if (next <= t || next.time_since_epoch() % std::chrono::seconds{1} != sys_time::duration{0}) {
        std::abort();
      }
      t = next;
    }
  }
  return 0;
}
