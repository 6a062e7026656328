// The outage lines on their own, on the fake clock: when the ERROR repeats, what "since" means,
// and that a run that gets through without an outage says nothing.
#include "daemon/outage.h"

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "support/capturing_sink.h"
#include "support/fake_clock.h"

namespace cwp::daemon {
namespace {

using namespace std::chrono_literals;

class Outage : public ::testing::Test {
 protected:
  std::vector<logging::line> errors() const {
    std::vector<logging::line> out;
    for (const auto& l : sink.lines()) {
      if (l.severity == logging::level::error) out.push_back(l);
    }
    return out;
  }

  testing::fake_clock clock;
  testing::capturing_sink sink;
  logging::logger log{sink, clock, "cloudwatch-publisher"};
  outage_reporter outage{log, clock, "/g"};
  core::error refused{core::errc::network, "PutLogEvents failed: connection refused"};
};

TEST_F(Outage, TheErrorRepeatsOnlyOnceFiveMinutesHavePassed) {
  outage.failed(1, clock.now(), refused);
  clock.advance(outage_reporter::repeat_every - 1s);
  outage.failed(2, std::nullopt, refused);
  EXPECT_EQ(errors().size(), 1U);
  clock.advance(1s);
  outage.failed(3, std::nullopt, refused);
  ASSERT_EQ(errors().size(), 2U);
  EXPECT_NE(errors()[1].message.find("3 events waiting"), std::string::npos);
  EXPECT_TRUE(outage.ongoing());
}

// Events restored from the spool, older than this process: the outage is as old as they are.
TEST_F(Outage, SinceIsTheOldestWaitingEventNotTheFirstFailure) {
  const auto restored = clock.now() - 2h;
  outage.failed(7, restored, refused);
  ASSERT_EQ(errors().size(), 1U);
  const std::string since = core::format_iso8601_seconds(restored);
  EXPECT_NE(errors()[0].message.find("7 events waiting since " + since +
                                     "; last error: " + refused.message),
            std::string::npos)
      << errors()[0].message;
  clock.advance(90s);
  outage.delivered(7);
  const auto info = sink.lines().back();
  EXPECT_EQ(info.severity, logging::level::info);
  EXPECT_EQ(info.message,
            "Delivery to CloudWatch Logs recovered after 2 h 1 min 30 s: 7 events delivered");
  EXPECT_FALSE(outage.ongoing());
}

TEST_F(Outage, ADeliveryWithoutAnOutageSaysNothingAndANewOutageErrsAtOnce) {
  outage.delivered(3);
  EXPECT_TRUE(sink.lines().empty());
  outage.failed(1, clock.now(), refused);
  outage.delivered(1);
  clock.advance(10s);
  outage.failed(1, clock.now(), refused);  // a second outage, well within 5 minutes
  EXPECT_EQ(errors().size(), 2U);
}

}  // namespace
}  // namespace cwp::daemon
