#pragma once
// Wraps a provider and keeps its credentials until they near expiry, refreshing as botocore
// does: an advisory refresh inside 15 minutes of expiry (a failure keeps the current
// credentials), a mandatory one inside 10 minutes. Statically stable: while the current
// credentials have not expired, a failed refresh logs a WARN and keeps serving them. Refreshes
// are serialized: concurrent callers wait for the one in flight.

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "aws/credentials.h"
#include "core/clock.h"
#include "logging/logger.h"

namespace cwp::aws {

struct refresh_policy {
  std::chrono::seconds advisory{std::chrono::minutes{15}};
  std::chrono::seconds mandatory{std::chrono::minutes{10}};
  // After a refresh inside the advisory window (failed, or giving credentials that are still
  // short-lived), wait this long before trying again while the current ones remain valid, so a
  // failing source is not called on every request.
  std::chrono::seconds retry_interval{30};
};

class caching_provider final : public credentials_provider {
 public:
  // Owns `inner`; `clock` and `log` (optional) must outlive it. Log lines name the provider and
  // the expiry, never a key, secret or token.
  caching_provider(std::unique_ptr<credentials_provider> inner, const core::clock& clock,
                   const logging::logger* log = nullptr, refresh_policy policy = {})
      : inner_(std::move(inner)), clock_(&clock), log_(log), policy_(policy) {}

  // Fails only when there are no usable credentials: the first fetch failed, the current ones
  // have expired (or were invalidated) and the refresh failed.
  core::result<credentials> get() override;
  // The next get() fetches new credentials (after an expired-token answer).
  void invalidate() override;

 private:
  core::result<credentials> fetch(bool refreshing);

  std::unique_ptr<credentials_provider> inner_;
  const core::clock* clock_;
  const logging::logger* log_;
  refresh_policy policy_;

  std::mutex mutex_;
  std::optional<credentials> cached_;  // guarded by mutex_
  bool invalidated_{false};
  std::optional<std::chrono::steady_clock::time_point> quiet_until_;
};

}  // namespace cwp::aws
