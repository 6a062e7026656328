#include "daemon/heartbeat_service.h"

#include <algorithm>

#include "daemon/startup.h"

namespace cwp::daemon {

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
      cloudwatch::make_heartbeat_event(p_.source, cloudwatch::heartbeat{sequence, scheduled}));
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

void heartbeat_service::report(bool delivered) {
  if (p_.health != nullptr) p_.health->attempt(p_.clock->now(), delivered, undelivered());
}

void heartbeat_service::deliver() {
  std::vector<recorded> added;
  std::size_t before = 0;
  {
    const std::lock_guard lock(inbox_mutex_);
    added.swap(inbox_);
    before = p_.shipper->pending();
  }

  if (!validated_) {
    switch (validate_credentials(*p_.sts, *p_.entry_log, /*unreachable_is_error=*/false)) {
      case validation::valid:
        validated_ = true;
        break;
      case validation::rejected:
        fatal_.store(static_cast<int>(exit_code::credentials_rejected));
        return;
      case validation::unreachable:
        schedule_retry();
        report(false);
        return;
    }
  }

  // Heartbeats (and restored heartbeats) are the only events of this shipper: the batch is EMF
  // exactly when they are.
  const auto d = p_.shipper->flush(/*emf=*/p_.source.emf.has_value());
  if (d.error) {
    p_.log->error(
        "Failed to publish log to CloudWatch Logs: " + d.error->message,
        {logging::kv("log_group", p_.log_group), logging::kv("error_code", d.error->remote_code),
         logging::kv("undelivered", static_cast<long long>(d.pending))});
    schedule_retry();
    report(false);
    return;
  }
  retry_at_ns_.store(0);
  retry_delay_ = first_retry_delay;
  report(d.delivered > 0);
  if (p_.precreate != nullptr) p_.precreate->after_delivery(p_.clock->now());
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
