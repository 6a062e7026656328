#include "aws/clock_skew.h"

#include <cstdlib>

#include "core/time_format.h"

namespace cwp::aws {

core::sys_time clock_skew::now() const {
  return clock_->now() + std::chrono::milliseconds{offset_ms_.load()};
}

bool clock_skew::observe(const http::response& response) {
  const auto date = response.find_header("Date");
  if (!date) return false;
  const auto server = core::parse_http_date(*date);
  if (!server) return false;
  const auto local = clock_->now();
  const auto drift = std::chrono::duration_cast<std::chrono::milliseconds>(*server - now());
  if (std::chrono::abs(drift) < correction_threshold) return false;
  offset_ms_.store(std::chrono::duration_cast<std::chrono::milliseconds>(*server - local).count());
  return true;
}

}  // namespace cwp::aws
