// The batching half of `send`: when a batch goes out, how long the reader may wait, the summary.
// The whole command (reading lines, retries, the spool) is specified in send_test.cpp.
#include "commands/sender.h"

#include <gtest/gtest.h>

#include "publishing_fixture.h"

namespace cwp::commands {
namespace {

using namespace std::chrono_literals;

class Sender : public fixture::publishing_test {
 protected:
  send_stats stats;
  sender out{
      published.shipper,
      clock,
      log,
      cloudwatch::stream_names{*cloudwatch::stream_template::parse("s-{hostname}"), {"node-7", ""}},
      stats,
      cloudwatch::max_event_bytes};
};

TEST_F(Sender, WithNothingQueuedTheReaderMayWaitAndNothingIsSent) {
  EXPECT_EQ(out.wait_budget(clock.monotonic()), std::chrono::hours{1});
  out.flush_if_due(clock.monotonic());
  EXPECT_EQ(puts(), 0U);
}

TEST_F(Sender, AQueuedLineGoesOutOnceTheInputHasBeenQuietForTheIdleFlush) {
  const auto last_input = clock.monotonic();
  out.add({"hello", true});
  EXPECT_EQ(out.wait_budget(last_input), send_idle_flush);
  clock.advance(send_idle_flush - 1ms);
  out.flush_if_due(last_input);
  EXPECT_EQ(puts(), 0U) << "not yet quiet long enough";
  clock.advance(1ms);
  out.flush_if_due(last_input);
  EXPECT_EQ(puts(), 1U);
  EXPECT_EQ(stats.delivered, 1U);
  EXPECT_EQ(transport.requests().back().find_header("X-Amz-Target"), "Logs_20140328.PutLogEvents");
}

TEST_F(Sender, EmptyTextIsCountedAndNeverQueued) {
  out.add({"", true});
  out.flush(true);
  EXPECT_EQ(stats.empty, 1U);
  EXPECT_EQ(stats.events, 0U);
  EXPECT_EQ(puts(), 0U);
}

TEST(SendSummary, NamesEveryFigure) {
  send_stats s;
  s.lines = 10;
  s.events = 9;
  s.batches = 1;
  s.bytes = 90;
  s.retries = 2;
  s.delivered = 9;
  s.empty = 1;
  s.elapsed = 2s;
  EXPECT_EQ(summary_line(s),
            "send: 10 lines, 9 events, 1 batches, 90 bytes, 2 retries in 2.00 s (5 lines/s); "
            "9 delivered; 1 empty lines skipped");
}

TEST(SendSummary, SplitLinesNameTheEventLimitTheyWereSplitAt) {
  send_stats s;
  s.lines = 1;
  s.events = 2;
  s.delivered = 2;
  s.split_lines = 1;
  s.max_event_bytes = 262'144;
  EXPECT_TRUE(summary_line(s).ends_with(
      "; 1 long lines split (events of at most 262144 bytes, CWP_MAX_EVENT_BYTES)"))
      << summary_line(s);
}

}  // namespace
}  // namespace cwp::commands
