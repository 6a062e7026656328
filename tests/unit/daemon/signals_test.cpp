#include "daemon/signals.h"

#include <gtest/gtest.h>

#include <csignal>

namespace cwp::daemon {
namespace {

using namespace std::chrono_literals;

// Blocks the daemon's signals in this thread for one test, as `run` does before its threads.
class SignalWaiter : public ::testing::Test {
 protected:
  SignalWaiter() {
    pthread_sigmask(SIG_SETMASK, nullptr, &saved_);
    block_daemon_signals();
  }
  ~SignalWaiter() override { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

  sigset_t saved_{};
};

TEST_F(SignalWaiter, NoticesClockChangesThroughItsTimer) {
  const signal_waiter w;
  EXPECT_TRUE(w.notices_clock_changes());
}

TEST_F(SignalWaiter, ReturnsABlockedSignalThatArrives) {
  signal_waiter w;
  ASSERT_EQ(raise(SIGHUP), 0);  // pending: blocked in this thread
  EXPECT_EQ(w.wait_for(10s), SIGHUP);
  ASSERT_EQ(raise(SIGTERM), 0);
  EXPECT_EQ(w.wait_for(10s), SIGTERM);
}

TEST_F(SignalWaiter, ReturnsNothingOnceTheTimeoutHasPassed) {
  signal_waiter w;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(w.wait_for(30ms), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 29ms);
  EXPECT_EQ(w.wait_for(0ms), std::nullopt);  // a poll: nothing pending
}

TEST_F(SignalWaiter, AnEarlierDeadlineDoesNotEndTheNextWaitEarly) {
  signal_waiter w;
  // Short waits whose timer may expire after poll's own timeout, leaving it unread.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(w.wait_for(1ms), std::nullopt);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(w.wait_for(30ms), std::nullopt);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 29ms);
}

}  // namespace
}  // namespace cwp::daemon
