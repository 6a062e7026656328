#include "cloudwatch/stream_precreator.h"

#include <algorithm>

namespace cwp::cloudwatch {

std::optional<std::string> precreate_plan::due(core::sys_time now) {
  const auto today = std::chrono::floor<std::chrono::days>(now);
  if (day_ != today) {
    const bool first_day = !day_.has_value();
    day_ = today;
    done_ = false;
    moment_.reset();
    const core::sys_time from = first_day ? std::max<core::sys_time>(now, today) : today;
    const core::sys_time until = today + window;
    if (from < until) {
      std::uniform_int_distribution<long long> ms(
          0, std::chrono::duration_cast<std::chrono::milliseconds>(until - from).count() - 1);
      moment_ = from + std::chrono::milliseconds(ms(rng_));
    }
  }
  if (done_ || !moment_ || now < *moment_) return std::nullopt;
  auto tomorrow = names_.render(today + std::chrono::days{1});
  auto current = names_.render(today);
  // No `{date}` in the template (one stream for ever), or a name that cannot be rendered (the
  // start-up checks report that): nothing to create ahead.
  if (!tomorrow || !current || *tomorrow == *current) {
    done_ = true;
    return std::nullopt;
  }
  return std::move(*tomorrow);
}

void stream_precreator::after_delivery(core::sys_time now) {
  auto stream = plan_.due(now);
  if (!stream) return;
  const auto made = pub_->prepare_stream(*stream);
  if (made) {
    plan_.done();
    return;
  }
  const auto today = std::chrono::floor<std::chrono::days>(now);
  if (warned_on_ == today) return;
  warned_on_ = today;
  log_->warn("Could not create tomorrow's log stream ahead of time: " + made.error().message +
                 "; trying again after the next delivery (the first heartbeat of the day creates "
                 "it otherwise)",
             {logging::kv("log_group", pub_->log_group()), logging::kv("log_stream", *stream),
              logging::kv("error_code", made.error().remote_code)});
}

}  // namespace cwp::cloudwatch
