#include "daemon/heartbeat_service.h"

#include <algorithm>

#include "daemon/startup.h"

namespace cwp::daemon {

heartbeat_service::heartbeat_service(parts p, bool credentials_validated)
    : p_(std::move(p)),
      validated_(credentials_validated),
      identity_due_(p_.clock->monotonic() + identity_recheck),
      outage_(*p_.log, *p_.clock, p_.log_group) {}

void heartbeat_service::record(core::sys_time scheduled) {
  const std::lock_guard lock(inbox_mutex_);
  const std::uint64_t sequence = next_sequence_++;
  auto stream = p_.stream.render(scheduled);
  if (!stream) {
    p_.log->error("CWP_LOG_STREAM: " + stream.error().message + "; heartbeat dropped");
    return;
  }
  const bool on_disk = p_.shipper->enqueue(
      *stream,
      cloudwatch::make_heartbeat_event(p_.source, cloudwatch::heartbeat{sequence, scheduled}),
      /*emf=*/p_.source.emf.has_value());
  p_.log->debug(
      "Heartbeat recorded",
      {logging::kv("id", p_.source.boot_id + "-" + std::to_string(sequence)),
       logging::kv("log_stream", *stream), logging::kv("spooled", on_disk ? "disk" : "memory")});
  inbox_.push_back({sequence, std::move(*stream)});
}

std::optional<exit_code> heartbeat_service::fatal() const {
  const int code = fatal_.load();
  if (code == 0) return std::nullopt;
  return static_cast<exit_code>(code);
}

bool heartbeat_service::delivery_due(std::chrono::steady_clock::time_point now) const {
  const long long at = retry_at_ns_.load();
  if (at != 0) return now.time_since_epoch().count() >= at;
  const std::lock_guard lock(inbox_mutex_);
  return !inbox_.empty();
}

void heartbeat_service::schedule_retry() {
  retry_at_ns_.store((p_.clock->monotonic() + retry_delay_).time_since_epoch().count());
  retry_delay_ = std::min(retry_delay_ * 2, std::chrono::seconds{max_retry_delay});
}

void heartbeat_service::report(attempt_result result) const {
  if (p_.health != nullptr) p_.health->attempt(p_.clock->now(), result, undelivered());
}

void heartbeat_service::check_identity() {
  if (validated_ || stopping_.load() || p_.clock->monotonic() < identity_due_) return;
  // The start-up check logged the WARN; asking again is quiet until STS answers.
  switch (validate_credentials(*p_.sts, *p_.entry_log, unvalidated_note, logging::level::debug)) {
    case validation::valid:
      validated_ = true;
      break;
    case validation::rejected:
      fatal_.store(static_cast<int>(exit_code::credentials_rejected));
      break;
    case validation::unreachable:
      identity_due_ = p_.clock->monotonic() + identity_delay_;
      identity_delay_ = std::min(identity_delay_ * 2, std::chrono::seconds{max_identity_recheck});
      break;
  }
}

void heartbeat_service::deliver() {
  std::vector<recorded> added;
  std::size_t before = 0;
  {
    const std::lock_guard lock(inbox_mutex_);
    added.swap(inbox_);
    before = p_.shipper->pending();
  }

  const auto d = p_.shipper->flush();
  // After the delivery: an STS that does not answer (or answers slowly) holds nothing back.
  check_identity();
  if (d.error) {
    p_.log->warn(
        "Failed to publish log to CloudWatch Logs: " + d.error->message,
        {logging::kv("log_group", p_.log_group), logging::kv("error_code", d.error->remote_code),
         logging::kv("undelivered", static_cast<long long>(d.pending))});
    outage_.failed(d.pending, p_.shipper->oldest_pending(), *d.error);
    schedule_retry();
    report(attempt_result::failed);
    return;
  }
  outage_.delivered(d.delivered);
  retry_at_ns_.store(0);
  retry_delay_ = first_retry_delay;
  report(d.delivered > 0 ? attempt_result::delivered : attempt_result::nothing_new);
  if (p_.precreate != nullptr) p_.precreate->after_delivery(p_.clock->now());
  log_delivered(d, before, added);
}

void heartbeat_service::log_delivered(const cloudwatch::delivery& d, std::size_t before,
                                      const std::vector<recorded>& added) const {
  // The shipper logged rejected and dropped events as ERROR; which heartbeats they were is not
  // known here, so none of this run's is reported delivered (neither kept nor fresh ones).
  if (d.rejected > 0 || d.dropped > 0) return;
  const std::size_t delivered_earlier = before > added.size() ? before - added.size() : 0;
  if (delivered_earlier > 0 && d.delivered > 0) {
    p_.log->info("Delivered " + std::to_string(delivered_earlier) +
                     " heartbeats kept while CloudWatch Logs was unreachable",
                 {logging::kv("log_group", p_.log_group)});
  }
  for (const auto& [sequence, stream] : added) {
    p_.log->info("Successfully published log to CloudWatch Logs",
                 {logging::kv("log_group", p_.log_group), logging::kv("log_stream", stream),
                  logging::kv("sequence", static_cast<long long>(sequence))});
  }
}

}  // namespace cwp::daemon
