#pragma once
// Test shorthand: UTC instants written and compared as ISO-8601 text.

#include <string>
#include <string_view>

#include "core/time_format.h"

namespace cwp::schedule::test {

inline core::sys_time utc(std::string_view iso) { return core::parse_iso8601(iso).value(); }

inline std::string iso(core::sys_time t) { return core::format_iso8601_seconds(t); }

}  // namespace cwp::schedule::test
