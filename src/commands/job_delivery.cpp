#include "commands/job_delivery.h"

#include <algorithm>

#include "commands/sender.h"

namespace cwp::commands {

job_delivery::job_delivery(cloudwatch::shipper& shipper, const logging::logger& log)
    : shipper_(&shipper), log_(&log), thread_([this] { loop(); }) {}

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
    if (stopping_) return;
    dirty_ = false;
    lock.unlock();
    const auto d = shipper_->flush();
    lock.lock();
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
