#include "cloudwatch/shipper.h"

#include <algorithm>
#include <vector>

#include "cloudwatch/batch.h"
#include "core/time_format.h"

namespace cwp::cloudwatch {
namespace {

// A batch the service called malformed will never be accepted: resending it forever would
// block every event behind it.
bool is_definitive_rejection(const core::error& e) {
  return e.remote_code == "InvalidParameterException" || e.remote_code == "ValidationException";
}

}  // namespace

void shipper::enqueue(const std::string& stream, log_event event) {
  if (total_ >= max_pending_) {
    // Drop the oldest event overall: the newest say most about now.
    auto oldest = queues_.end();
    for (auto it = queues_.begin(); it != queues_.end(); ++it) {
      if (!it->second.empty() &&
          (oldest == queues_.end() ||
           it->second.front().timestamp_ms < oldest->second.front().timestamp_ms)) {
        oldest = it;
      }
    }
    if (oldest != queues_.end()) {
      oldest->second.pop_front();
      --total_;
      log_->error("Undelivered events exceed the limit of " + std::to_string(max_pending_) +
                      "; dropped the oldest",
                  {logging::kv("log_stream", oldest->first), logging::kv("dropped", 1LL)});
    }
  }
  auto& q = queues_[stream];
  // Keep each stream sorted by timestamp (the service rejects unsorted batches); events
  // almost always arrive in order, so this is an append.
  const auto pos =
      std::upper_bound(q.begin(), q.end(), event.timestamp_ms,
                       [](std::int64_t ts, const log_event& e) { return ts < e.timestamp_ms; });
  q.insert(pos, std::move(event));
  ++total_;
}

delivery shipper::flush(bool emf) {
  delivery d;
  const std::int64_t oldest_allowed =
      core::to_epoch_millis(clock_->now() - max_event_age + std::chrono::minutes{5});
  for (auto& [stream, q] : queues_) {
    // Past the service's acceptance window: drop with a count instead of sending them to be
    // rejected (5 minutes of margin for the time the request takes).
    std::size_t expired = 0;
    while (!q.empty() && q.front().timestamp_ms < oldest_allowed) {
      q.pop_front();
      ++expired;
    }
    if (expired > 0) {
      total_ -= expired;
      d.dropped += expired;
      log_->error("Dropped " + std::to_string(expired) +
                      " undelivered events older than CloudWatch Logs accepts (14 days)",
                  {logging::kv("log_stream", stream)});
    }
    while (!q.empty() && !d.error) {
      const std::size_t n = next_batch_size(q.begin(), q.end());
      const std::vector<log_event> batch(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
      auto r = publisher_->publish(stream, batch, emf);
      if (!r) {
        if (is_definitive_rejection(r.error())) {
          log_->error("CloudWatch Logs refused a batch of " + std::to_string(n) +
                          " events; dropped it: " + r.error().message,
                      {logging::kv("log_stream", stream)});
          q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
          total_ -= n;
          d.dropped += n;
          continue;
        }
        d.error = r.error();
        break;
      }
      q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
      total_ -= n;
      d.delivered += r->accepted;
      d.rejected += r->rejected();
      if (r->rejected() > 0) {
        log_->error("CloudWatch Logs rejected " + std::to_string(r->rejected()) + " of " +
                        std::to_string(n) +
                        " events (too old: " + std::to_string(r->too_old + r->expired) +
                        ", too new: " + std::to_string(r->too_new) + "); check the host clock",
                    {logging::kv("log_stream", stream)});
      }
    }
    if (d.error) break;
  }
  std::erase_if(queues_, [](const auto& kv) { return kv.second.empty(); });
  d.pending = total_;
  return d;
}

}  // namespace cwp::cloudwatch
