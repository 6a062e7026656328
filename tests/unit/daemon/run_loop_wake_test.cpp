#include <gtest/gtest.h>

#include <csignal>

#include "run_loop_fixture.h"

// When the loop wakes: once per tick when idle and its waiter hears clock changes, every
// second while something is in motion or when it cannot hear them.
namespace cwp::daemon::loop_test {
namespace {

TEST_F(RunLoop, WithoutHeartbeatsAnIdleLoopStillWakesForEachKeepalive) {
  heartbeats = false;
  signals.notices = true;
  signals.at(clock.now() + 95s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_EQ(attempts, 3);       // at 30, 60 and 90 s, as with a one-second poll
  EXPECT_LE(signals.waits, 5);  // one sleep per keepalive, not 95
}

TEST_F(RunLoop, WaitsAreBoundedSoAClockJumpIsNoticedWithinASecond) {
  track_outcomes();
  cadence = *schedule::cron_expression::parse("@hourly");
  signals.at(clock.now() + 30s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_GE(signals.waits, 30);
  EXPECT_EQ(delivered().size(), 1U);
}

TEST_F(RunLoop, AnIdleDaemonWhoseWaiterNoticesClockChangesWakesOncePerTick) {
  track_outcomes();
  signals.notices = true;
  cadence = *schedule::cron_expression::parse("*/1 * * * *");
  signals.at(clock.now() + 10min, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_EQ(delivered().size(), 11U);  // the start-up heartbeat and ten ticks
  EXPECT_LE(signals.waits, 12);        // not one per second (600)
}

TEST_F(RunLoop, SleepingUntilTheTickStillSeesAClockJumpWhenTheWaiterNoticesIt) {
  track_outcomes();
  signals.notices = true;
  cadence = *schedule::cron_expression::parse("*/1 * * * *");
  signals.on(clock.now() + 90s, [this] { clock.jump_wall(-1h); });
  signals.at(clock.now() + 150s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_TRUE(sink.contains("jumped backward"));
}

TEST_F(RunLoop, ARetryIsNotPostponedToTheNextTickWhenTheWaiterSleepsUntilIt) {
  track_outcomes();
  signals.notices = true;
  cadence = *schedule::cron_expression::parse("*/1 * * * *");
  outage = true;  // the start-up heartbeat fails; its retry is due 5 s later
  signals.on(clock.now() + 3s, [this] { outage = false; });
  int attempts_after_10s = 0;
  signals.on(clock.now() + 10s, [&] { attempts_after_10s = attempts; });
  signals.at(clock.now() + 20s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_EQ(attempts_after_10s, 2);
  EXPECT_EQ(delivered().size(), 1U);
}

}  // namespace
}  // namespace cwp::daemon::loop_test
