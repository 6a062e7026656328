#include "aws/credentials/caching_provider.h"

#include "core/time_format.h"

namespace cwp::aws {
namespace {

std::string expiry_text(const credentials& c) {
  return c.expiration ? core::format_iso8601_seconds(*c.expiration) : std::string("never");
}

}  // namespace

core::result<credentials> caching_provider::fetch(bool refreshing, std::uint64_t generation) {
  auto fresh = inner_->get();
  if (!fresh) return fresh;
  if (log_ != nullptr) {
    // The first fetch is reported by the start-up line "Environment validation successful"
    // (the old image's sequence of messages stays intact); refreshes are news.
    log_->log(refreshing ? logging::level::info : logging::level::debug,
              refreshing ? "AWS credentials refreshed" : "AWS credentials obtained",
              {logging::kv("credentials_provider", fresh->provider),
               logging::kv("credentials_expiration", expiry_text(*fresh))});
  }
  cached_ = *fresh;
  // An invalidate() during the fetch has moved the count on: the next get() fetches again.
  cached_generation_ = generation;
  return fresh;
}

core::result<credentials> caching_provider::get() {
  const std::lock_guard lock(mutex_);
  const std::uint64_t generation = invalidations_.load();
  const bool invalidated = generation != cached_generation_;
  if (invalidated) inner_->invalidate();
  if (!cached_ || invalidated) {
    quiet_until_.reset();
    return fetch(cached_.has_value(), generation);
  }
  if (!cached_->expiration) return *cached_;

  const auto left = *cached_->expiration - clock_->now();
  if (left > policy_.advisory) return *cached_;

  const bool still_valid = left > core::sys_time::duration::zero();
  const auto now = clock_->monotonic();
  if (still_valid && quiet_until_ && now < *quiet_until_) return *cached_;

  quiet_until_ = now + policy_.retry_interval;
  auto fresh = fetch(true, generation);
  if (fresh) return fresh;

  const std::string provider = cached_->provider;
  const std::string expiry = expiry_text(*cached_);
  if (!still_valid) {
    core::error e = fresh.error();
    e.message = "AWS credentials from " + provider + " expired at " + expiry +
                " and could not be refreshed: " + e.message;
    return tl::unexpected(std::move(e));
  }
  if (log_ != nullptr) {
    const bool mandatory = left <= policy_.mandatory;
    log_->warn(std::string(mandatory ? "Mandatory" : "Advisory") +
                   " refresh of AWS credentials failed; using the current ones until they "
                   "expire",
               {logging::kv("credentials_provider", provider),
                logging::kv("credentials_expiration", expiry),
                logging::kv("error", fresh.error().message)});
  }
  return *cached_;
}

void caching_provider::invalidate() { invalidations_.fetch_add(1); }

}  // namespace cwp::aws
