#include "cloudwatch/batch.h"

#include <gtest/gtest.h>

namespace cwp::cloudwatch {
namespace {

std::vector<log_event> events(std::size_t n, std::size_t message_bytes, std::int64_t step_ms = 0) {
  std::vector<log_event> out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back({static_cast<std::int64_t>(i) * step_ms, std::string(message_bytes, 'x')});
  }
  return out;
}

TEST(Batch, SplitsAtTenThousandEvents) {
  EXPECT_EQ(plan_batches(events(10'001, 1)), (std::vector<std::size_t>{10'000, 1}));
}

TEST(Batch, SplitsWhenNextEventWouldExceedOneMebibyteIncludingOverhead) {
  // 1000-byte messages cost 1026 bytes each: 1022 fit in 1,048,576 bytes, the 1023rd does not.
  EXPECT_EQ(plan_batches(events(1023, 1000)), (std::vector<std::size_t>{1022, 1}));
}

TEST(Batch, AMaximalEventFillsABatchAlone) {
  EXPECT_EQ(plan_batches(events(2, max_message_bytes)), (std::vector<std::size_t>{1, 1}));
}

TEST(Batch, SplitsBatchesSpanningMoreThanADay) {
  const std::int64_t hour_ms = 3'600'000;
  EXPECT_EQ(plan_batches(events(30, 1, hour_ms)), (std::vector<std::size_t>{25, 5}));
}

TEST(Batch, EmptyInputHasNoBatches) { EXPECT_TRUE(plan_batches({}).empty()); }

TEST(Batch, TruncatesAtACharacterBoundary) {
  std::string m = "ab\xC3\xA9";  // "abé": é is two bytes
  EXPECT_TRUE(truncate_message(m, 3));
  EXPECT_EQ(m, "ab");
  std::string short_one = "abc";
  EXPECT_FALSE(truncate_message(short_one, 3));
}

}  // namespace
}  // namespace cwp::cloudwatch
