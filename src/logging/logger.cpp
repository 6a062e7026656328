#include "logging/logger.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace cwp::logging {

std::string_view to_string(level l) {
  switch (l) {
    case level::debug:
      return "DEBUG";
    case level::info:
      return "INFO";
    case level::warn:
      return "WARN";
    case level::error:
      return "ERROR";
  }
  return "INFO";
}

bool parse_level(std::string_view text, level& out) {
  std::string s(text);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "debug") {
    out = level::debug;
  } else if (s == "info") {
    out = level::info;
  } else if (s == "warn" || s == "warning") {
    out = level::warn;
  } else if (s == "error") {
    out = level::error;
  } else {
    return false;
  }
  return true;
}

field kv(std::string key, std::string value) {
  return field{std::move(key), std::move(value), 0, false};
}

field kv(std::string key, long long value) { return field{std::move(key), {}, value, true}; }

std::string render(const line& l) {
  nlohmann::ordered_json j;
  j["service"] = l.service;
  j["timestamp"] = core::format_iso8601_seconds(l.timestamp);
  j["level"] = to_string(l.severity);
  j["message"] = l.message;
  for (const auto& f : l.fields) {
    if (f.is_number) {
      j[f.key] = f.number;
    } else {
      j[f.key] = f.text;
    }
  }
  // Invalid UTF-8 (from a user's stdin, say) is replaced rather than thrown on.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void stream_sink::write(const line& l) {
  const std::string text = render(l) + "\n";
  const std::lock_guard lock(mutex_);
  std::ostream& os = l.severity == level::error ? err_ : out_;
  os << text << std::flush;
}

logger logger::with_service(std::string service) const {
  return {*sink_, *clock_, std::move(service), threshold_};
}

void logger::log(level severity, std::string message, std::vector<field> fields) const {
  if (severity < threshold_) return;
  try {
    sink_->write(line{service_, clock_->now(), severity, std::move(message), std::move(fields)});
  } catch (...) {  // a log line must never take the daemon down
  }
}

}  // namespace cwp::logging
