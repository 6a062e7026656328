#include "schedule/splay.h"

#include <algorithm>
#include <string>

#include "schedule/duration.h"

namespace cwp::schedule {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// "5" in "5-30s" borrows "s"; anything already carrying a unit is left alone.
std::string with_unit_of(std::string_view bound, std::string_view other) {
  if (bound.empty() || !std::all_of(bound.begin(), bound.end(), is_digit)) {
    return std::string(bound);
  }
  std::size_t unit_start = other.size();
  while (unit_start > 0 && !is_digit(other[unit_start - 1])) {
    --unit_start;
  }
  return std::string(bound) + std::string(other.substr(unit_start));
}

// Names the whole setting, then the bound at fault when it is only part of it.
tl::unexpected<core::error> bound_error(std::string_view text, std::string_view bound,
                                        const core::error& e) {
  if (bound == text) {
    return tl::unexpected(e);
  }
  return core::fail(core::errc::invalid_argument, quoted(text) + ": " + e.message);
}

}  // namespace

core::result<splay> splay::parse(std::string_view text, const cron_expression& schedule) {
  if (text.empty()) {
    return splay{};
  }
  const std::size_t dash = text.find('-');
  const std::string_view upper_text = dash == std::string_view::npos ? text : text.substr(dash + 1);
  const std::string lower_text =
      dash == std::string_view::npos ? "0" : with_unit_of(text.substr(0, dash), upper_text);

  // The upper bound first: the lower one may have borrowed its unit.
  auto upper = parse_duration(upper_text);
  if (!upper) {
    return bound_error(text, upper_text, upper.error());
  }
  auto lower = parse_duration(lower_text);
  if (!lower) {
    return bound_error(text, lower_text, lower.error());
  }

  if (*lower > *upper) {
    return core::fail(
        core::errc::invalid_argument,
        quoted(text) + " is a reversed range; write the smaller bound first, as in 0-30s");
  }
  const std::chrono::milliseconds interval = schedule.min_interval();
  if (*upper >= interval) {
    return core::fail(core::errc::invalid_argument,
                      quoted(text) + " must stay below " + format_duration(interval) +
                          ", the shortest interval of schedule " + quoted(schedule.text()) +
                          ", or a delayed tick would run after the next one is due");
  }
  return splay{*lower, *upper};
}

}  // namespace cwp::schedule
