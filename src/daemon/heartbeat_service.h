#pragma once
// What a heartbeat does, split by thread: record() keeps "alive at T" at the scheduled time in
// the shipper (main loop; on disk before it returns when there is a spool, never waits for the
// network); deliver() delivers everything kept (worker thread). A failed delivery keeps the
// events and asks for a retry with a growing delay; it never ends the process, and an outage
// is reported as ERROR (outage.h). STS is a diagnostic, never a gate: while the credentials
// could not be validated (STS unreachable), every run delivers first and then asks STS again
// when that is due (every identity_recheck at first, doubling to max_identity_recheck), with
// one WARN for the whole episode. Only AWS rejecting the credentials is fatal.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/sts_client.h"
#include "cloudwatch/heartbeat.h"
#include "cloudwatch/names.h"
#include "cloudwatch/shipper.h"
#include "cloudwatch/stream_precreator.h"
#include "daemon/exit_code.h"
#include "daemon/health.h"
#include "daemon/outage.h"
#include "logging/logger.h"

namespace cwp::daemon {

class heartbeat_service {
 public:
  // Retry delays after a failed delivery, when no schedule tick comes sooner.
  static constexpr std::chrono::seconds first_retry_delay{5};
  static constexpr std::chrono::seconds max_retry_delay{60};
  // Delays before asking STS again while the credentials could not be validated.
  static constexpr std::chrono::seconds identity_recheck{5};
  static constexpr std::chrono::seconds max_identity_recheck{300};
  // What the WARN about an unreachable STS says happens meanwhile.
  static constexpr std::string_view unvalidated_note =
      "; delivering heartbeats meanwhile and checking again later";

  struct parts {
    std::string log_group;
    cloudwatch::stream_names stream;  // final names: {instance_id} is resolved
    const aws::sts_client* sts;
    cloudwatch::shipper* shipper;
    const logging::logger* entry_log;  // service cloudwatch-publisher-entrypoint
    const logging::logger* log;        // service cloudwatch-publisher
    const core::clock* clock;
    cloudwatch::heartbeat_source source;
    health_recorder* health{nullptr};  // optional: told the outcome of every delivery run
    // optional: after each successful delivery run, creates tomorrow's stream when it is due
    cloudwatch::stream_precreator* precreate{nullptr};
  };

  // credentials_validated false: STS did not answer at start (which logged the WARN).
  heartbeat_service(parts p, bool credentials_validated);

  // Main thread: a heartbeat is due at `scheduled` (its event timestamp). Thread-safe.
  void record(core::sys_time scheduled);
  // Worker thread: one delivery run.
  void deliver();

  // Set when AWS rejected the credentials: the daemon exits with this code.
  std::optional<exit_code> fatal() const;
  // True when a delivery run should start without waiting for a tick: heartbeats were recorded
  // while the last run was busy, or a failed run's retry delay has passed.
  bool delivery_due(std::chrono::steady_clock::time_point now) const;
  std::size_t undelivered() const { return p_.shipper->pending(); }
  // The last delivery run failed and its retry is pending. Thread-safe.
  bool failing() const { return retry_at_ns_.load() != 0; }
  // Shutting down: the last runs deliver and ask STS nothing (it could outlast the grace).
  void stopping() { stopping_.store(true); }

 private:
  struct recorded {
    std::uint64_t sequence;
    std::string stream;
  };

  // After a failed run: the next one is due after the current delay, which then doubles.
  void schedule_retry();
  // Tells the health recorder how a delivery run ended.
  void report(attempt_result result) const;
  // While the credentials are not validated: asks STS when due; sets fatal_ when it rejects them.
  void check_identity();
  // The INFO lines of a run that got through.
  void log_delivered(const cloudwatch::delivery& d, std::size_t before,
                     const std::vector<recorded>& added) const;

  parts p_;
  bool validated_;                                             // worker thread only
  std::chrono::steady_clock::time_point identity_due_;         // worker thread only
  std::chrono::seconds identity_delay_{2 * identity_recheck};  // after the next check; worker
  outage_reporter outage_;                                     // worker thread only
  mutable std::mutex inbox_mutex_;
  std::vector<recorded> inbox_;     // recorded since the last delivery run started
  std::uint64_t next_sequence_{1};  // guarded by inbox_mutex_
  std::atomic<int> fatal_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<long long> retry_at_ns_{0};                // steady clock; 0 = no retry pending
  std::chrono::seconds retry_delay_{first_retry_delay};  // worker thread only
};

}  // namespace cwp::daemon
