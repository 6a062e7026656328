#pragma once
// The PutLogEvents request body, written directly instead of through a JSON document: on the
// path of every line `send` ships, a document per event costs more than everything else
// together. The bytes are those nlohmann::json's dump() writes for the same document (compact,
// UTF-8 kept, invalid UTF-8 replaced with U+FFFD), which the tests compare.

#include <span>
#include <string>
#include <string_view>

#include "cloudwatch/logs_client.h"

namespace cwp::cloudwatch {

// Appends `text` as a JSON string (quotes included): '"', '\\' and control characters escaped
// (\b \f \n \r \t, else \u00xx), everything else as it is; invalid UTF-8 becomes U+FFFD.
void append_json_string(std::string& out, std::string_view text);

// {"logGroupName":...,"logStreamName":...,"logEvents":[{"timestamp":N,"message":...},...]}
std::string put_log_events_json(std::string_view group, std::string_view stream,
                                std::span<const log_event> events);

}  // namespace cwp::cloudwatch
