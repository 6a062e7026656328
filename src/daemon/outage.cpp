#include "daemon/outage.h"

#include <algorithm>

#include "core/time_format.h"

namespace cwp::daemon {
namespace {

// "3 h 2 min 5 s", "42 s", "0 s".
std::string duration_text(std::chrono::seconds d) {
  const auto h = std::chrono::duration_cast<std::chrono::hours>(d);
  const auto m = std::chrono::duration_cast<std::chrono::minutes>(d - h);
  const auto s = d - h - m;
  std::string out;
  if (h.count() > 0) out += std::to_string(h.count()) + " h ";
  if (h.count() > 0 || m.count() > 0) out += std::to_string(m.count()) + " min ";
  return out + std::to_string(s.count()) + " s";
}

}  // namespace

void outage_reporter::failed(std::size_t waiting, std::optional<core::sys_time> oldest,
                             const core::error& why) {
  const auto now = clock_->monotonic();
  if (!since_) {
    since_ = oldest.value_or(clock_->now());
    next_error_ = now;
  } else if (oldest) {
    since_ = std::min(*since_, *oldest);
  }
  if (now < next_error_) return;
  next_error_ = now + repeat_every;
  const std::string since = core::format_iso8601_seconds(*since_);
  log_->error("Heartbeats are not reaching CloudWatch Logs: " + std::to_string(waiting) +
                  " events waiting since " + since + "; last error: " + why.message,
              {logging::kv("log_group", log_group_),
               logging::kv("undelivered", static_cast<long long>(waiting)),
               logging::kv("since", since), logging::kv("error_code", why.remote_code)});
}

void outage_reporter::delivered(std::size_t delivered) {
  if (!since_) return;
  const auto length =
      std::max(std::chrono::duration_cast<std::chrono::seconds>(clock_->now() - *since_),
               std::chrono::seconds{0});
  log_->info("Delivery to CloudWatch Logs recovered after " + duration_text(length) + ": " +
                 std::to_string(delivered) + " events delivered",
             {logging::kv("log_group", log_group_),
              logging::kv("delivered", static_cast<long long>(delivered)),
              logging::kv("since", core::format_iso8601_seconds(*since_)),
              logging::kv("outage_s", static_cast<long long>(length.count()))});
  since_.reset();
}

}  // namespace cwp::daemon
