#pragma once
// Delivers a shipper's events on a thread of its own while a job runs, so reading the job's
// output never waits on the network: notify() (after enqueueing) wakes it. It lets a batch fill
// first: it flushes as soon as a full batch is queued (cloudwatch::max_batch_events or
// max_batch_bytes, or the shipper is half full), else once `linger` has passed since the first
// notify() of the batch, so a job printing fast costs one PutLogEvents per full batch rather than
// one per read (the quota is per account and region), and a quiet job's line still arrives within
// the linger. It flushes until the shipper is empty; a failed flush waits send_first_retry,
// doubling up to send_max_retry, before the next attempt (a WARN line the first time). finish() (or
// the destructor) stops it after the flush in progress; the final flush is the caller's, on its own
// thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "cloudwatch/shipper.h"
#include "core/error.h"
#include "logging/logger.h"

namespace cwp::commands {

// How long the first event of a batch waits for the batch to fill.
inline constexpr std::chrono::milliseconds job_delivery_linger{250};

class job_delivery {
 public:
  job_delivery(cloudwatch::shipper& shipper, const logging::logger& log,
               std::chrono::milliseconds linger = job_delivery_linger);
  job_delivery(const job_delivery&) = delete;
  job_delivery& operator=(const job_delivery&) = delete;
  job_delivery(job_delivery&&) = delete;
  job_delivery& operator=(job_delivery&&) = delete;
  ~job_delivery() { finish(); }

  // Thread-safe: there is something new to deliver.
  void notify();
  void finish();

  // Thread-safe: the latest attempt failed (and a retry waits).
  bool failing() const { return failing_.load(); }
  // Why the latest attempt failed; unset after a success. Call after finish().
  const std::optional<core::error>& last_error() const { return last_error_; }

 private:
  void loop();
  bool batch_full() const;

  cloudwatch::shipper* shipper_;
  const logging::logger* log_;
  std::chrono::milliseconds linger_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool dirty_{false};
  bool stopping_{false};
  std::optional<core::error> last_error_;
  std::atomic<bool> failing_{false};
  std::thread thread_;  // last: starts once the members above exist
};

}  // namespace cwp::commands
