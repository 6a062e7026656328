#pragma once
// Durations as operators write them in settings: "30s", "5m", "1h30m", "250ms".

#include <chrono>
#include <string>
#include <string_view>

#include "core/error.h"

namespace cwp::schedule {

// One or more <number><unit> parts with units h, m, s, ms, each at most once and from largest
// to smallest ("1h30m", "90s", "1s500ms"); a bare "0" is zero. Anything else is an
// invalid_argument error quoting the text. Callers add their own bounds.
core::result<std::chrono::milliseconds> parse_duration(std::string_view text);

// The same notation back: 90s -> "1m30s", 1500ms -> "1s500ms", 0 -> "0s".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace cwp::schedule
