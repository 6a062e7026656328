#include "commands/job_delivery.h"

#include <algorithm>

#include "cloudwatch/batch.h"
#include "commands/sender.h"

namespace cwp::commands {

job_delivery::job_delivery(cloudwatch::shipper& shipper, const logging::logger& log,
                           std::chrono::milliseconds linger)
    : shipper_(&shipper), log_(&log), linger_(linger), thread_([this] { loop(); }) {}

bool job_delivery::batch_full() const {
  const auto [events, bytes] = shipper_->queued();
  // Half full: the job's output is held back (run_output::congested) until this delivers.
  return events >= cloudwatch::max_batch_events || bytes >= cloudwatch::max_batch_bytes ||
         shipper_->half_full();
}

void job_delivery::notify() {
  {
    const std::lock_guard lock(mutex_);
    dirty_ = true;
  }
  wake_.notify_one();
}

void job_delivery::finish() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void job_delivery::loop() {
  std::chrono::seconds retry_delay = send_first_retry;
  bool warned = false;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return dirty_ || stopping_; });
    // Let the batch fill (each notify() looks again); finishing does not wait.
    wake_.wait_for(lock, linger_, [this] { return stopping_ || batch_full(); });
    if (stopping_) return;
    dirty_ = false;
    cloudwatch::delivery d;
    do {  // full batches go one after another; what is left lingers again
      lock.unlock();
      d = shipper_->flush_one();
      lock.lock();
    } while (!d.error && !stopping_ && batch_full());
    if (!d.error && shipper_->queued().first > 0) dirty_ = true;
    last_error_ = d.error;
    failing_ = d.error.has_value();
    if (!d.error) {
      retry_delay = send_first_retry;
      continue;
    }
    if (!warned) {
      log_->warn("Could not deliver the job's output to CloudWatch Logs; keeping " +
                     std::to_string(d.pending) + " events and retrying",
                 {logging::kv("error", d.error->message),
                  logging::kv("error_code", d.error->remote_code)});
      warned = true;
    }
    // Retry after the delay even without new output, unless finishing.
    if (wake_.wait_for(lock, retry_delay, [this] { return stopping_; })) return;
    retry_delay = std::min(retry_delay * 2, std::chrono::seconds{send_max_retry});
    dirty_ = true;
  }
}

}  // namespace cwp::commands
