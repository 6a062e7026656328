#pragma once
// When heartbeats fire: a 5-field cron expression or a descriptor, evaluated in UTC.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/clock.h"
#include "core/error.h"

namespace cwp::schedule {

// A parsed schedule. Immutable and cheap to copy; all times are UTC and whole seconds.
//
// Cron syntax: "minute hour day-of-month month day-of-week", each field `*`, a value, a list
// `a,b`, a range `a-b`, or a step `*/n`, `a-b/n`, `a/n` (= a through the field's maximum).
// Months take JAN-DEC and weekdays SUN-SAT in any case; 0 and 7 are both Sunday, and a weekday
// range may end on Sunday (`FRI-SUN`). Cron fires at second 0 of each matching minute.
// As in Vixie cron, when day-of-month and day-of-week are both restricted (neither starts with
// `*`), a day matches if either matches; otherwise it must match both.
//
// Descriptors: @hourly, @daily (= @midnight), @weekly, @monthly, @yearly (= @annually), and
// @every <duration> with whole seconds from 1s to 24h ("30s", "5m", "1h30m"). @every ticks are
// the multiples of the interval since the Unix epoch, so they are aligned to the wall clock
// (@every 30s fires at :00 and :30) and identical on every host and after every restart.
//
// parse() rejects expressions that can never fire (`0 0 30 2 *`), so next_after() always has
// an answer. Error messages name the field and the bad value; the caller prefixes the setting.
class cron_expression {
 public:
  static core::result<cron_expression> parse(std::string_view text);

  // The text this was parsed from, without surrounding whitespace.
  const std::string& text() const { return text_; }

  // The first fire time strictly after `t`.
  core::sys_time next_after(core::sys_time t) const;

  // How many fire times lie in [from, to). Never visits them one by one (a clock set forward by
  // years): arithmetic for @every; for cron one step per day of the range, months that never
  // match skipped whole, so even sys_time's whole ~584 years is about 213,000 steps.
  std::uint64_t count_between(core::sys_time from, core::sys_time to) const;

  // No two consecutive fire times are closer than this. Exact for @every; for cron it is the
  // closest pair of selected minutes, else of selected hours, else one day.
  std::chrono::seconds min_interval() const;

 private:
  // Bit n set = value n selected.
  struct fields {
    std::uint64_t minutes{0};
    std::uint64_t hours{0};
    std::uint64_t days_of_month{0};  // bits 1-31
    std::uint64_t months{0};         // bits 1-12
    std::uint64_t days_of_week{0};   // bits 0-6, 0 = Sunday
    bool either_day_matches{false};  // the Vixie rule above
  };

  cron_expression(std::string text, fields f) : text_(std::move(text)), rule_(f) {}
  cron_expression(std::string text, std::chrono::seconds every)
      : text_(std::move(text)), rule_(every) {}

  static core::result<fields> parse_fields(std::string_view text);
  static core::sys_time next_cron(const fields& f, core::sys_time t);
  static core::sys_time next_every(std::chrono::seconds every, core::sys_time t);
  // Whether the day matches day-of-month and day-of-week (the Vixie rule above); not the month.
  static bool day_matches(const fields& f, std::chrono::sys_days day);
  static std::uint64_t count_cron(const fields& f, core::sys_time from, core::sys_time to);
  static std::uint64_t count_every(std::chrono::seconds every, core::sys_time from,
                                   core::sys_time to);

  std::string text_;
  std::variant<fields, std::chrono::seconds> rule_;
};

}  // namespace cwp::schedule
