#pragma once
// Several PutLogEvents calls in flight at once, for `send` (CWP_SEND_CONCURRENCY): `concurrency`
// threads each publish one batch taken from the shipper at a time, on a kept-alive connection of
// their own (the transport keeps one idle connection per concurrent call), and settle it with the
// shipper: delivered, or put back at the front of its stream when it failed (at least once:
// nothing handed over is ever dropped here). submit() waits while every thread has a batch, so
// the reader stops reading while the endpoint is busy (back-pressure, memory bounded by
// `concurrency` + 1 batches). CloudWatch Logs accepts concurrent calls on one stream and orders
// a stream's events by timestamp, which every event keeps, so readers see them in order whatever
// order the calls complete in.
//
// submit(), wait_idle() and collect() are for one thread (the reader); the destructor waits for
// the batches handed over.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "cloudwatch/publisher.h"
#include "cloudwatch/shipper.h"

namespace cwp::commands {

class delivery_pool {
 public:
  // Refers to the shipper and publisher, which must outlive it. `concurrency` >= 1.
  delivery_pool(cloudwatch::shipper& shipper, cloudwatch::publisher& publisher,
                std::size_t concurrency);
  delivery_pool(const delivery_pool&) = delete;
  delivery_pool& operator=(const delivery_pool&) = delete;
  delivery_pool(delivery_pool&&) = delete;
  delivery_pool& operator=(delivery_pool&&) = delete;
  ~delivery_pool();

  // Hands a batch to a thread; waits while `concurrency` batches are on their way.
  void submit(cloudwatch::taken_batch batch);
  // Waits until every batch handed over is settled.
  void wait_idle();

  // What settled since the last call.
  struct outcome {
    std::size_t delivered{0};
    std::size_t failed{0};             // batches put back
    std::optional<core::error> error;  // the latest failure
    std::size_t pending{0};            // what the shipper keeps after the latest settle
  };
  outcome collect();

 private:
  void work();

  cloudwatch::shipper* shipper_;
  cloudwatch::publisher* publisher_;
  std::size_t concurrency_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<cloudwatch::taken_batch> waiting_;  // handed over, not picked up yet
  std::size_t busy_{0};                          // batches being published
  outcome settled_;
  bool stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace cwp::commands
