// Batches taken out of the shipper and settled by whoever published them (send's delivery
// threads, several at once): what is taken is outside the bounds, a failed batch goes back in
// order before what was queued since, a delivered one is removed, nothing is counted twice.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cloudwatch/batch.h"
#include "cloudwatch/shipper.h"
#include "core/time_format.h"
#include "support/capturing_sink.h"
#include "support/scripted_logs.h"

namespace cwp::cloudwatch {
namespace {

using namespace std::chrono_literals;

class ShipperBatches : public ::testing::Test, protected testing::scripted_logs {
 protected:
  ShipperBatches() : scripted_logs(one_attempt()) {}
  static aws::retry_settings one_attempt() {
    aws::retry_settings r;
    r.max_attempts = 1;
    return r;
  }
  log_event at(std::int64_t ms, std::string m) const {
    return {core::to_epoch_millis(clock.now()) + ms, std::move(m)};
  }
  static std::vector<std::string> messages(const taken_batch& b) {
    std::vector<std::string> out;
    for (const auto& e : b.events) out.push_back(e.message);
    return out;
  }
  static core::result<put_result> accepted(const taken_batch& b) {
    return put_result{b.events.size(), 0, 0, 0};
  }
  static core::result<put_result> unreachable() {
    return core::fail(core::errc::network, "connection refused");
  }

  testing::capturing_sink sink;
  logging::logger log{sink, clock, "cloudwatch-publisher"};
  publisher pub_{logs, log, {.log_group = "/g"}};
};

TEST_F(ShipperBatches, BatchesAreTakenOldestFirstWithinTheLimitsAndStayPendingUntilSettled) {
  shipper s(pub_, log, clock);
  for (int i = 0; i < 10'005; ++i) s.enqueue("s", at(i, "e" + std::to_string(i)));
  auto first = s.take_batch();
  auto second = s.take_batch();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(s.take_batch()) << "everything is on its way";
  EXPECT_EQ(first->events.size(), max_batch_events);
  EXPECT_EQ(first->events.front().message, "e0");
  EXPECT_EQ(messages(*second),
            (std::vector<std::string>{"e10000", "e10001", "e10002", "e10003", "e10004"}));
  EXPECT_EQ(s.pending(), 10'005U);
  EXPECT_EQ(s.queued().first, 0U);

  delivery d;
  s.settle(std::move(*second), accepted(*second), d);  // the later one may finish first
  EXPECT_EQ(d.delivered, 5U);
  EXPECT_EQ(s.pending(), 10'000U);
  s.settle(std::move(*first), accepted(*first), d);
  EXPECT_EQ(d.delivered, 10'005U);
  EXPECT_EQ(s.pending(), 0U);
  EXPECT_TRUE(transport.requests().empty()) << "the caller published, not the shipper";
}

TEST_F(ShipperBatches, AFailedBatchGoesBackInOrderBeforeWhatWasQueuedSince) {
  shipper s(pub_, log, clock);
  s.enqueue("s", at(0, "a"));
  s.enqueue("s", at(1, "b"));
  auto taken = s.take_batch();
  ASSERT_TRUE(taken);
  s.enqueue("s", at(2, "c"));  // read while the batch was on its way
  delivery d;
  s.settle(std::move(*taken), unreachable(), d);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.delivered, 0U);
  EXPECT_EQ(d.pending, 3U);
  auto again = s.take_batch();
  ASSERT_TRUE(again);
  EXPECT_EQ(messages(*again), (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(ShipperBatches, WhatIsOnItsWayIsNeverDroppedForTheBound) {
  shipper s(pub_, log, clock, spool_limits{.max_events = 10, .max_bytes = 1 << 20});
  for (int i = 0; i < 10; ++i) s.enqueue("s", at(i, "old" + std::to_string(i)));
  auto taken = s.take_batch();
  ASSERT_TRUE(taken);
  // Ten more while the first ten are on their way: the bound holds for the queue alone.
  for (int i = 10; i < 20; ++i) s.enqueue("s", at(i, "new" + std::to_string(i)));
  EXPECT_FALSE(sink.contains("exceed the spool limits"));
  delivery d;
  s.settle(std::move(*taken), accepted(*taken), d);
  EXPECT_EQ(d.delivered, 10U);
  EXPECT_EQ(s.pending(), 10U);
}

TEST_F(ShipperBatches, ABatchRefusedAsInvalidIsDroppedAndCountedNotPutBack) {
  shipper s(pub_, log, clock);
  s.enqueue("s", at(0, "bad"));
  auto taken = s.take_batch();
  ASSERT_TRUE(taken);
  delivery d;
  core::error invalid(core::errc::aws, "malformed");
  invalid.remote_code = "InvalidParameterException";
  s.settle(std::move(*taken), tl::unexpected(invalid), d);
  EXPECT_FALSE(d.error);
  EXPECT_EQ(d.dropped, 1U);
  EXPECT_EQ(s.pending(), 0U);
  EXPECT_TRUE(sink.contains("CloudWatch Logs refused a batch of 1 events"));
}

}  // namespace
}  // namespace cwp::cloudwatch
