// The delivery thread of `exec`: batches fill before they go, a full batch goes at once, and a
// batch that does not fill still goes within the linger.
#include "commands/job_delivery.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "cloudwatch/batch.h"
#include "core/time_format.h"
#include "publishing_fixture.h"

namespace cwp::commands {
namespace {

using namespace std::chrono_literals;

class JobDelivery : public fixture::publishing_test {
 protected:
  // Enqueues `n` output lines, telling the delivery after each, as a job run does.
  void print(job_delivery& delivery, std::size_t n) {
    const std::int64_t now = core::to_epoch_millis(clock.now());
    for (std::size_t i = 0; i < n; ++i) {
      published.shipper.enqueue("job", {now, "line " + std::to_string(i)});
      delivery.notify();
    }
  }

  // Waits (real time: the delivery has a thread of its own) until `pending` events are left.
  bool pending_reaches(std::size_t pending) const {
    const auto give_up = std::chrono::steady_clock::now() + 30s;
    while (published.shipper.pending() != pending) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::yield();
    }
    return true;
  }

  // Read once the delivery finished: requests() is not guarded against its thread.
  std::vector<std::size_t> events_per_put() const {
    std::vector<std::size_t> out;
    for (const auto& r : transport.requests()) {
      if (r.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
      std::size_t n = 0;
      for (auto at = r.body.find("\"timestamp\""); at != std::string::npos;
           at = r.body.find("\"timestamp\"", at + 1)) {
        ++n;
      }
      out.push_back(n);
    }
    return out;
  }
};

TEST_F(JobDelivery, AFullBatchGoesAtOnceAndTheRestWaitsForTheLinger) {
  const std::size_t rest = 7;
  job_delivery delivery(published.shipper, log, /*linger=*/std::chrono::hours{1});
  print(delivery, cloudwatch::max_batch_events + rest);
  ASSERT_TRUE(pending_reaches(rest)) << "the full batch was not delivered";
  delivery.finish();
  EXPECT_EQ(published.shipper.pending(), rest) << "a batch that is not full waits the linger";
  EXPECT_EQ(events_per_put(), std::vector<std::size_t>{cloudwatch::max_batch_events});
}

TEST_F(JobDelivery, LinesPrintedOneByOneGoOutTogetherAfterTheLinger) {
  job_delivery delivery(published.shipper, log, /*linger=*/50ms);
  print(delivery, 20);
  ASSERT_TRUE(pending_reaches(0)) << "a batch that does not fill goes once the linger passed";
  delivery.finish();
  const auto puts = events_per_put();
  ASSERT_FALSE(puts.empty());
  std::size_t total = 0;
  for (const auto n : puts) total += n;
  EXPECT_EQ(total, 20U);
  EXPECT_LT(puts.size(), 20U) << "one call per line: the batch did not fill";
}

}  // namespace
}  // namespace cwp::commands
