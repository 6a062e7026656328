#pragma once
// Wraps a provider and keeps its credentials until they near expiry, refreshing as botocore
// does: an advisory refresh inside 15 minutes of expiry (a failure keeps the current
// credentials), a mandatory one inside 10 minutes. Statically stable: while the current
// credentials have not expired, a failed refresh logs a WARN and keeps serving them. Refreshes
// are serialized: concurrent callers of get() wait for the one in flight. invalidate() never
// waits (the main loop calls it on SIGHUP while a refresh may hang in credential_process or
// STS retries): it only counts, and the next get() acts on the count.

#include <atomic>
#include <chrono>
#include <cstdint>
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
  // The next get() fetches new credentials (after an expired-token answer, or SIGHUP), even
  // when a refresh is in flight now: what that refresh brings is not trusted either. Returns at
  // once; the inner provider's invalidate() is called by that next get(), under the lock, so
  // providers never see invalidate() and get() at the same time.
  void invalidate() override;

 private:
  // `generation`: the invalidation count the fetched credentials answer.
  core::result<credentials> fetch(bool refreshing, std::uint64_t generation);

  std::unique_ptr<credentials_provider> inner_;
  const core::clock* clock_;
  const logging::logger* log_;
  refresh_policy policy_;

  std::atomic<std::uint64_t> invalidations_{0};  // bumped by invalidate(), without the lock

  std::mutex mutex_;  // guards what follows; held for the whole of a fetch
  std::optional<credentials> cached_;
  std::uint64_t cached_generation_{0};  // cached_ is trusted while this equals invalidations_
  std::optional<std::chrono::steady_clock::time_point> quiet_until_;
};

}  // namespace cwp::aws
