// cron_expression::next_after and min_interval: when a parsed schedule fires next, and how close
// two of its fire times can be.

#include <algorithm>
#include <bit>
#include <optional>

#include "schedule/bit_mask.h"
#include "schedule/cron_expression.h"

namespace cwp::schedule {
namespace {

using std::chrono::days;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_days;

// The lowest selected value >= from, if any. `from` may be one past the highest bit in use.
std::optional<unsigned> first_at_or_after(std::uint64_t bits, unsigned from) {
  const std::uint64_t rest = from >= 64 ? 0 : bits & (~std::uint64_t{0} << from);
  if (rest == 0) {
    return std::nullopt;
  }
  return static_cast<unsigned>(std::countr_zero(rest));
}

// Smallest distance between selected values on a circle of `size` (the wrap counts because the
// last value of one hour/day is followed by the first of the next); nullopt for one value.
std::optional<unsigned> closest_pair(std::uint64_t bits, unsigned size) {
  if (std::popcount(bits) < 2) {
    return std::nullopt;
  }
  const auto first = static_cast<unsigned>(std::countr_zero(bits));
  unsigned previous = first;
  unsigned closest = size;
  for (unsigned v = first + 1; v < size; ++v) {
    if ((bits & bit(v)) == 0) {
      continue;
    }
    closest = std::min(closest, v - previous);
    previous = v;
  }
  return std::min(closest, size - previous + first);
}

}  // namespace

core::sys_time cron_expression::next_after(core::sys_time t) const {
  if (const auto* every = std::get_if<seconds>(&rule_)) {
    return next_every(*every, t);
  }
  return next_cron(std::get<fields>(rule_), t);
}

core::sys_time cron_expression::next_every(seconds every, core::sys_time t) {
  const std::int64_t now = std::chrono::floor<seconds>(t).time_since_epoch().count();
  const std::int64_t n = every.count();
  std::int64_t periods = now / n;
  if (now % n < 0) {
    --periods;  // floor division for times before the epoch
  }
  return core::sys_time{seconds{(periods + 1) * n}};
}

// Walks forward a month, a day or an hour at a time, never a minute at a time. Terminates
// because parse_fields() proved that some selected date exists (within 8 years for Feb 29,
// within 40 for Feb 29 on a given weekday).
core::sys_time cron_expression::next_cron(const fields& f, core::sys_time t) {
  const auto start = std::chrono::floor<minutes>(t) + minutes{1};
  sys_days day = std::chrono::floor<days>(start);
  auto minute_of_day = static_cast<unsigned>((start - day).count());

  for (;;) {
    const std::chrono::year_month_day date{day};
    const auto month = static_cast<unsigned>(date.month());
    if ((f.months & bit(month)) == 0) {
      const std::optional<unsigned> later = first_at_or_after(f.months, month + 1);
      const std::chrono::year year = later ? date.year() : date.year() + std::chrono::years{1};
      const unsigned next_month =
          later ? *later : static_cast<unsigned>(std::countr_zero(f.months));
      day = sys_days{year / std::chrono::month{next_month} / 1};
      minute_of_day = 0;
      continue;
    }

    if (day_matches(f, day)) {
      for (std::optional<unsigned> hour = first_at_or_after(f.hours, minute_of_day / 60); hour;
           hour = first_at_or_after(f.hours, *hour + 1)) {
        const unsigned from = *hour == minute_of_day / 60 ? minute_of_day % 60 : 0;
        if (const std::optional<unsigned> minute = first_at_or_after(f.minutes, from)) {
          return day + std::chrono::hours{*hour} + minutes{*minute};
        }
      }
    }
    day += days{1};
    minute_of_day = 0;
  }
}

bool cron_expression::day_matches(const fields& f, sys_days day) {
  const std::chrono::year_month_day date{day};
  const bool dom = (f.days_of_month & bit(static_cast<unsigned>(date.day()))) != 0;
  const bool dow = (f.days_of_week & bit(std::chrono::weekday{day}.c_encoding())) != 0;
  return f.either_day_matches ? (dom || dow) : (dom && dow);
}

std::chrono::seconds cron_expression::min_interval() const {
  if (const auto* every = std::get_if<seconds>(&rule_)) {
    return *every;
  }
  const auto& f = std::get<fields>(rule_);
  if (const auto gap = closest_pair(f.minutes, 60)) {
    return minutes{*gap};
  }
  if (const auto gap = closest_pair(f.hours, 24)) {
    return std::chrono::hours{*gap};
  }
  return days{1};
}

}  // namespace cwp::schedule
