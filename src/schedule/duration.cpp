#include "schedule/duration.h"

#include <array>
#include <charconv>
#include <cstdint>

namespace cwp::schedule {
namespace {

struct unit {
  std::string_view suffix;
  std::chrono::milliseconds size;
};

// Largest first: parts must appear in this order, which also bounds the total.
constexpr std::array<unit, 4> units{{
    {"h", std::chrono::hours{1}},
    {"m", std::chrono::minutes{1}},
    {"s", std::chrono::seconds{1}},
    {"ms", std::chrono::milliseconds{1}},
}};

// Keeps any sum of parts far inside int64 milliseconds.
constexpr std::int64_t max_part_value = 1'000'000'000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::size_t span_while(std::string_view text, std::size_t pos, bool want_digits) {
  while (pos < text.size() && is_digit(text[pos]) == want_digits) {
    ++pos;
  }
  return pos;
}

tl::unexpected<core::error> invalid(std::string_view text, std::string_view problem) {
  return core::fail(core::errc::invalid_argument,
                    "'" + std::string(text) + "' " + std::string(problem));
}

}  // namespace

core::result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text == "0") {
    return std::chrono::milliseconds{0};
  }
  constexpr std::string_view usage =
      "is not a duration; write a number with a unit (h, m, s, ms) such as 30s, 5m or 1h30m";
  if (text.empty()) {
    return invalid(text, usage);
  }

  std::chrono::milliseconds total{0};
  std::size_t smallest_allowed = 0;  // index into `units`
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t digits_end = span_while(text, pos, true);
    const std::size_t unit_end = span_while(text, digits_end, false);
    const std::string_view number = text.substr(pos, digits_end - pos);
    const std::string_view suffix = text.substr(digits_end, unit_end - digits_end);
    if (number.empty() || suffix.empty()) {
      return invalid(text, usage);
    }

    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc{} || value > max_part_value) {
      return invalid(text, "is too large");
    }

    std::size_t u = 0;
    while (u < units.size() && units[u].suffix != suffix) {
      ++u;
    }
    if (u == units.size()) {
      return invalid(text, "has unknown unit '" + std::string(suffix) + "'; use h, m, s or ms");
    }
    if (u < smallest_allowed) {
      return invalid(text,
                     "repeats a unit or lists it out of order; write units from largest "
                     "to smallest, each once, as in 1h30m");
    }
    total += value * units[u].size;
    smallest_allowed = u + 1;
    pos = unit_end;
  }
  // Each part is bounded, but parts can add up past it (999999999h120m): bound the sum too,
  // so every accepted duration formats back to a text that parses.
  if (total > std::chrono::hours{max_part_value}) return invalid(text, "is too large");
  return total;
}

std::string format_duration(std::chrono::milliseconds d) {
  if (d == std::chrono::milliseconds{0}) {
    return "0s";
  }
  std::string out;
  for (const unit& u : units) {
    const std::int64_t count = d / u.size;
    if (count == 0) {
      continue;
    }
    out += std::to_string(count);
    out += u.suffix;
    d -= count * u.size;
  }
  return out;
}

}  // namespace cwp::schedule
