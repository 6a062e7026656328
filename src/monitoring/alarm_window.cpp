#include "monitoring/alarm_window.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "schedule/duration.h"

namespace cwp::monitoring {
namespace {

using std::chrono::seconds;
using days = std::chrono::days;

// See longest_gap(): 2000-01-01 to 2029-01-01 holds every kind of year (the Gregorian calendar
// of 1901-2099 repeats every 28 years), and the year after each.
constexpr std::chrono::sys_days scan_from{std::chrono::year{2000} / 1 / 1};
constexpr std::chrono::sys_days scan_until{std::chrono::year{2029} / 1 / 1};

bool is_every(const schedule::cron_expression& schedule) {
  constexpr std::string_view every = "@every";
  const std::string& text = schedule.text();
  if (text.size() < every.size()) return false;
  return std::equal(every.begin(), every.end(), text.begin(), [](char a, char b) {
    return a == std::tolower(static_cast<unsigned char>(b));
  });
}

std::chrono::sys_days day_of(core::sys_time t) { return std::chrono::floor<days>(t); }

seconds round_up(seconds value, seconds step) {
  return ((value + step - seconds{1}) / step) * step;
}

}  // namespace

seconds longest_gap(const schedule::cron_expression& schedule) {
  // @every ticks are the multiples of the interval since the epoch: every gap is the interval.
  if (is_every(schedule)) return schedule.min_interval();

  // The times of day of one firing day: the same on every firing day (the minute and hour
  // fields do not depend on the date).
  const core::sys_time first = schedule.next_after(core::sys_time{scan_from} - seconds{1});
  const auto first_day = day_of(first);
  seconds longest{0};
  core::sys_time last = first;
  for (core::sys_time t = schedule.next_after(first); day_of(t) == first_day;
       t = schedule.next_after(t)) {
    longest = std::max(longest, std::chrono::duration_cast<seconds>(t - last));
    last = t;
  }
  const auto last_of_day = last - first_day;

  // From each firing day's last time to the next firing day's first.
  for (auto day = first_day; day < scan_until;) {
    const core::sys_time next = schedule.next_after(day + last_of_day);
    longest = std::max(longest, std::chrono::duration_cast<seconds>(next - (day + last_of_day)));
    day = day_of(next);
  }
  return longest;
}

core::result<alarm_window> window_covering(seconds quiet) {
  quiet = std::max(quiet, min_alarm_period);
  if (round_up(quiet, min_alarm_period) <= max_short_period_window) {
    const auto period = min_alarm_period;
    return alarm_window{period, static_cast<int>(round_up(quiet, period) / period)};
  }
  if (quiet <= max_alarm_window) {
    const auto period = short_period_limit;
    return alarm_window{period, static_cast<int>(round_up(quiet, period) / period)};
  }
  return core::fail(core::errc::invalid_argument,
                    "it would have to wait " + schedule::format_duration(quiet) +
                        " without a data point, and a CloudWatch metric alarm looks back at "
                        "most 7 days (Period x EvaluationPeriods)");
}

}  // namespace cwp::monitoring
