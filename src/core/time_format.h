#pragma once
// UTC time formatting and parsing in the handful of shapes AWS and our logs use.

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace cwp::core {

// 2025-10-30T12:34:56Z (seconds, as the replaced image's log lines).
std::string format_iso8601_seconds(sys_time t);
// 2025-10-30T12:34:56.789Z
std::string format_iso8601_millis(sys_time t);
// 20150830T123600Z (X-Amz-Date).
std::string format_amz_date(sys_time t);
// 2025-10-30
std::string format_date(sys_time t);

// Parses ISO-8601 UTC as AWS sends expirations: YYYY-MM-DDTHH:MM:SS[.fff](Z|+00:00|±HH:MM).
std::optional<sys_time> parse_iso8601(std::string_view s);
// Parses an RFC 1123 HTTP date: "Sun, 30 Aug 2015 12:36:00 GMT".
std::optional<sys_time> parse_http_date(std::string_view s);

std::int64_t to_epoch_millis(sys_time t);
sys_time from_epoch_millis(std::int64_t ms);

}  // namespace cwp::core
