#include "cloudwatch/heartbeat.h"

#include <nlohmann/json.hpp>
#include <random>
#include <string_view>

#include "core/time_format.h"

namespace cwp::cloudwatch {

log_event make_heartbeat_event(const heartbeat_source& source, const heartbeat& beat) {
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(beat.scheduled - source.started).count();
  nlohmann::ordered_json j;
  j["event"] = "heartbeat";
  j["status"] = "alive";
  j["service"] = "cloudwatch-publisher";
  j["host"] = source.host;
  j["version"] = source.version;
  j["sequence"] = beat.sequence;
  j["id"] = source.boot_id + "-" + std::to_string(beat.sequence);
  j["timestamp"] = core::format_iso8601_seconds(beat.scheduled);
  j["uptime_s"] = uptime < 0 ? 0 : uptime;
  j["schedule"] = source.schedule;
  const auto timestamp_ms = core::to_epoch_millis(beat.scheduled);
  if (source.emf) add_heartbeat_metric(j, *source.emf, timestamp_ms);
  return log_event{timestamp_ms,
                   j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)};
}

std::string new_boot_id() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> nibble(0, 15);
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string id(16, '0');
  for (auto& c : id) c = hex[nibble(rd)];
  return id;
}

}  // namespace cwp::cloudwatch
