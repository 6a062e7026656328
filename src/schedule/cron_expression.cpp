#include "schedule/cron_expression.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "schedule/bit_mask.h"
#include "schedule/duration.h"

namespace cwp::schedule {
namespace {

using std::chrono::seconds;

constexpr std::string_view field_order = "minute hour day-of-month month day-of-week";

struct field_spec {
  std::string_view name;
  unsigned min;
  unsigned max;
  std::span<const std::string_view> names;  // names[i] stands for min + i
  std::string_view names_hint;
  bool seven_is_sunday;  // day-of-week: 7 is a second Sunday, folded onto bit 0
};

constexpr std::array<std::string_view, 12> month_names{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 7> weekday_names{"SUN", "MON", "TUE", "WED",
                                                        "THU", "FRI", "SAT"};

constexpr field_spec minute_spec{"minute", 0, 59, {}, {}, false};
constexpr field_spec hour_spec{"hour", 0, 23, {}, {}, false};
constexpr field_spec day_of_month_spec{"day-of-month", 1, 31, {}, {}, false};
constexpr field_spec month_spec{"month", 1, 12, month_names, " or a month name (JAN-DEC)", false};
constexpr field_spec day_of_week_spec{
    "day-of-week", 0, 7, weekday_names, " or a weekday name (SUN-SAT)", true};

// February counts 29: a date that exists in leap years only still fires.
constexpr std::array<unsigned, 13> max_days_in_month{0,  31, 29, 31, 30, 31, 30,
                                                     31, 31, 30, 31, 30, 31};

struct descriptor {
  std::string_view name;
  std::string_view expansion;
};
constexpr std::array<descriptor, 7> descriptors{{
    {"@hourly", "0 * * * *"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},
    {"@monthly", "0 0 1 * *"},
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
}};

constexpr seconds min_every{1};
// Longer periods read more clearly as cron expressions, which say at what time they fire.
constexpr seconds max_every = std::chrono::hours{24};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && is_space(s[pos])) {
      ++pos;
    }
    const std::size_t start = pos;
    while (pos < s.size() && !is_space(s[pos])) {
      ++pos;
    }
    if (pos > start) {
      words.push_back(s.substr(start, pos - start));
    }
  }
  return words;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t pos = s.find(separator); pos != std::string_view::npos;
       pos = s.find(separator, start)) {
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  parts.push_back(s.substr(start));
  return parts;
}

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<unsigned> to_unsigned(std::string_view s) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size()) {
    return std::nullopt;
  }
  return value;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string range_text(unsigned lo, unsigned hi) {
  return std::to_string(lo) + "-" + std::to_string(hi);
}

// "minute field '61' is out of range 0-59", naming the offending part when the field has
// several: "minute field '1,61': '61' is out of range 0-59".
tl::unexpected<core::error> field_error(const field_spec& spec, std::string_view field,
                                        std::string_view part, std::string_view problem) {
  std::string message = std::string(spec.name) + " field " + quoted(field);
  if (part != field) {
    message += ": " + quoted(part);
  }
  message += " ";
  message += problem;
  return core::fail(core::errc::invalid_argument, std::move(message));
}

core::result<unsigned> parse_value(const field_spec& spec, std::string_view field,
                                   std::string_view token) {
  if (token.empty()) {
    return field_error(spec, field, field, "is missing a value");
  }
  if (all_digits(token)) {
    const std::optional<unsigned> value = to_unsigned(token);
    if (!value || *value < spec.min || *value > spec.max) {
      return field_error(spec, field, token, "is out of range " + range_text(spec.min, spec.max));
    }
    return *value;
  }
  for (std::size_t i = 0; i < spec.names.size(); ++i) {
    if (iequals(token, spec.names[i])) {
      return spec.min + static_cast<unsigned>(i);
    }
  }
  return field_error(spec, field, token, "is not a number" + std::string(spec.names_hint));
}

// One comma-separated part: `*`, `a`, `a-b`, each optionally followed by `/step`.
core::result<std::uint64_t> parse_part(const field_spec& spec, std::string_view field,
                                       std::string_view part) {
  if (part.empty()) {
    return field_error(spec, field, field, "has an empty list item");
  }
  const std::size_t slash = part.find('/');
  const std::string_view base = part.substr(0, slash);
  const bool has_step = slash != std::string_view::npos;

  unsigned step = 1;
  if (has_step) {
    const std::string_view step_text = part.substr(slash + 1);
    if (!all_digits(step_text)) {
      return field_error(spec, field, part, "has a step that is not a number");
    }
    const std::optional<unsigned> parsed = to_unsigned(step_text);
    if (!parsed || *parsed > spec.max - spec.min + 1) {
      return field_error(
          spec, field, part,
          "has a step larger than the field's range " + range_text(spec.min, spec.max));
    }
    if (*parsed == 0) {
      return field_error(spec, field, part, "has step 0; a step must be 1 or more");
    }
    step = *parsed;
  }

  unsigned lo = spec.min;
  unsigned hi = spec.max;
  if (base != "*") {
    const std::size_t dash = base.find('-');
    auto first = parse_value(spec, field, base.substr(0, dash));
    if (!first) {
      return tl::unexpected(first.error());
    }
    lo = *first;
    if (dash != std::string_view::npos) {
      auto last = parse_value(spec, field, base.substr(dash + 1));
      if (!last) {
        return tl::unexpected(last.error());
      }
      hi = *last;
      // A weekday range ending on Sunday means the end of the week: FRI-SUN = 5-7.
      if (spec.seven_is_sunday && hi == 0 && lo > 0) {
        hi = 7;
      }
      if (lo > hi) {
        return field_error(spec, field, base,
                           "is a reversed range; to wrap around, write " +
                               range_text(lo, spec.max) + "," + range_text(spec.min, hi));
      }
    } else if (!has_step) {
      hi = lo;
    }
  }

  std::uint64_t bits = 0;
  for (unsigned v = lo; v <= hi; v += step) {
    bits |= bit(v);
  }
  if (spec.seven_is_sunday && (bits & bit(7)) != 0) {
    bits = (bits & ~bit(7)) | bit(0);
  }
  return bits;
}

core::result<std::uint64_t> parse_field(const field_spec& spec, std::string_view field) {
  std::uint64_t bits = 0;
  for (const std::string_view part : split(field, ',')) {
    auto part_bits = parse_part(spec, field, part);
    if (!part_bits) {
      return tl::unexpected(part_bits.error());
    }
    bits |= *part_bits;
  }
  return bits;
}

}  // namespace

core::result<cron_expression> cron_expression::parse(std::string_view text) {
  const std::string_view trimmed = trim(text);
  const std::vector<std::string_view> words = split_words(trimmed);
  if (words.empty()) {
    return core::fail(core::errc::invalid_argument,
                      "schedule is empty; expected 5 fields (" + std::string(field_order) +
                          ") or a descriptor such as @hourly or @every 30s");
  }

  if (words[0].starts_with('@')) {
    if (iequals(words[0], "@every")) {
      if (words.size() != 2) {
        return core::fail(core::errc::invalid_argument,
                          quoted(trimmed) +
                              " needs exactly one duration, such as @every 30s, "
                              "@every 5m or @every 1h30m");
      }
      auto every = parse_duration(words[1]);
      if (!every) {
        return core::fail(core::errc::invalid_argument, "@every " + every.error().message);
      }
      if (*every < min_every) {
        return core::fail(core::errc::invalid_argument,
                          "@every " + quoted(words[1]) +
                              " is shorter than 1s; sub-second schedules are not supported");
      }
      if (*every % seconds{1} != std::chrono::milliseconds{0}) {
        return core::fail(core::errc::invalid_argument,
                          "@every " + quoted(words[1]) + " is not a whole number of seconds");
      }
      if (*every > max_every) {
        return core::fail(core::errc::invalid_argument,
                          "@every " + quoted(words[1]) +
                              " is longer than 24h; use a cron expression for longer periods");
      }
      return cron_expression(std::string(trimmed), std::chrono::duration_cast<seconds>(*every));
    }
    for (const descriptor& d : descriptors) {
      if (!iequals(words[0], d.name)) {
        continue;
      }
      if (words.size() != 1) {
        return core::fail(core::errc::invalid_argument,
                          quoted(trimmed) + ": " + std::string(d.name) + " takes no arguments");
      }
      auto f = parse_fields(d.expansion);
      if (!f) {
        return tl::unexpected(f.error());
      }
      return cron_expression(std::string(trimmed), *f);
    }
    return core::fail(core::errc::invalid_argument,
                      "unknown descriptor " + quoted(words[0]) +
                          "; use @hourly, @daily, @midnight, @weekly, @monthly, @yearly, "
                          "@annually or @every <duration>");
  }

  auto f = parse_fields(trimmed);
  if (!f) {
    return tl::unexpected(f.error());
  }
  return cron_expression(std::string(trimmed), *f);
}

core::result<cron_expression::fields> cron_expression::parse_fields(std::string_view text) {
  const std::vector<std::string_view> words = split_words(text);
  if (words.size() != 5) {
    std::string message = quoted(text) + " has " + std::to_string(words.size()) +
                          " fields; expected 5 (" + std::string(field_order) + ")";
    if (words.size() == 6) {
      message += "; a seconds field is not supported, use @every for intervals under a minute";
    }
    return core::fail(core::errc::invalid_argument, std::move(message));
  }

  fields f;
  const std::array<std::pair<const field_spec*, std::uint64_t*>, 5> targets{{
      {&minute_spec, &f.minutes},
      {&hour_spec, &f.hours},
      {&day_of_month_spec, &f.days_of_month},
      {&month_spec, &f.months},
      {&day_of_week_spec, &f.days_of_week},
  }};
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto bits = parse_field(*targets[i].first, words[i]);
    if (!bits) {
      return tl::unexpected(bits.error());
    }
    *targets[i].second = *bits;
  }
  // Vixie cron's test: a field starting with '*' (including `*/2`) counts as unrestricted.
  f.either_day_matches = !words[2].starts_with('*') && !words[4].starts_with('*');

  // When both day fields must match, the chosen days must exist in a chosen month. (Every date
  // falls on every weekday across the 400-year calendar cycle, so the weekday cannot make a
  // date that exists impossible.) With the either-rule the weekday alone matches every week.
  if (!f.either_day_matches) {
    bool possible = false;
    for (unsigned month = 1; month <= 12; ++month) {
      const std::uint64_t days_in_month = (bit(max_days_in_month[month] + 1) - 1) & ~bit(0);
      if ((f.months & bit(month)) != 0 && (f.days_of_month & days_in_month) != 0) {
        possible = true;
      }
    }
    if (!possible) {
      return core::fail(core::errc::invalid_argument,
                        quoted(text) + " never fires: day-of-month " + quoted(words[2]) +
                            " does not occur in month " + quoted(words[3]));
    }
  }
  return f;
}

}  // namespace cwp::schedule
