// cron_expression::count_between: how many fire times a range holds, without visiting them.
// A clock set forward by years must not cost one next_after() per missed tick.

#include <algorithm>
#include <bit>

#include "schedule/bit_mask.h"
#include "schedule/cron_expression.h"

namespace cwp::schedule {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::sys_days;

constexpr long minutes_per_day = 24L * 60L;

// Bits [from, to) of a minute mask; 0 <= from <= to <= 60.
std::uint64_t bits_between(long from, long to) {
  const auto below = [](long n) { return (std::uint64_t{1} << static_cast<unsigned>(n)) - 1; };
  return below(to) & ~below(from);
}

// Minutes since the day's midnight of the first fire time at or after `t`, within [0, 1440].
long minute_at_or_after(sys_days day, core::sys_time t) {
  return std::clamp<long>(static_cast<long>(std::chrono::ceil<minutes>(t - day).count()), 0,
                          minutes_per_day);
}

}  // namespace

std::uint64_t cron_expression::count_between(core::sys_time from, core::sys_time to) const {
  if (to <= from) return 0;
  if (const auto* every = std::get_if<std::chrono::seconds>(&rule_)) {
    return count_every(*every, from, to);
  }
  return count_cron(std::get<fields>(rule_), from, to);
}

// The fire times are the multiples of `every` since the epoch: count the multiples in range.
std::uint64_t cron_expression::count_every(std::chrono::seconds every, core::sys_time from,
                                           core::sys_time to) {
  const auto period = std::chrono::duration_cast<core::sys_time::duration>(every).count();
  // The index of the first multiple at or after t (division rounding up, for either sign).
  const auto first_at_or_after = [period](core::sys_time t) {
    const auto n = t.time_since_epoch().count();
    return n / period + (n % period > 0 ? 1 : 0);
  };
  return static_cast<std::uint64_t>(first_at_or_after(to) - first_at_or_after(from));
}

// One step per day in range (a month that never matches is skipped whole): a full matching day
// holds hours x minutes fire times, the first and last days are counted hour by hour. Bounded:
// sys_time spans about 584 years, some 213,000 days.
std::uint64_t cron_expression::count_cron(const fields& f, core::sys_time from, core::sys_time to) {
  const sys_days first_day = std::chrono::floor<days>(from);
  const sys_days last_day = std::chrono::floor<days>(to - core::sys_time::duration{1});
  const auto per_full_day = static_cast<std::uint64_t>(std::popcount(f.hours)) *
                            static_cast<std::uint64_t>(std::popcount(f.minutes));
  const auto in_part_of_day = [&f, from, to](sys_days day) {
    const long lo = minute_at_or_after(day, from);
    const long hi = minute_at_or_after(day, to);
    std::uint64_t n = 0;
    for (long hour = 0; hour < 24; ++hour) {
      if ((f.hours & bit(static_cast<unsigned>(hour))) == 0) continue;
      const long a = std::clamp<long>(lo - hour * 60, 0, 60);
      const long b = std::clamp<long>(hi - hour * 60, 0, 60);
      if (a < b) n += static_cast<std::uint64_t>(std::popcount(f.minutes & bits_between(a, b)));
    }
    return n;
  };

  std::uint64_t count = 0;
  for (sys_days day = first_day; day <= last_day;) {
    const std::chrono::year_month_day date{day};
    if ((f.months & bit(static_cast<unsigned>(date.month()))) == 0) {
      day = sys_days{date.year() / date.month() / std::chrono::last} + days{1};
      continue;
    }
    if (day_matches(f, day)) {
      count += (day == first_day || day == last_day) ? in_part_of_day(day) : per_full_day;
    }
    day += days{1};
  }
  return count;
}

}  // namespace cwp::schedule
