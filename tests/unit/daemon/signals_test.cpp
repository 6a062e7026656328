#include "daemon/signals.h"

#include <gtest/gtest.h>

#include <csignal>
#include <functional>

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

// A wait of 30 ms returns nothing and lasts the whole 30 ms. It also ends early, by design, when
// the host's wall clock is set meanwhile (a VM's clock is stepped after a pause or a snapshot
// restore), so one attempt in five lasting the whole timeout is enough; a waiter that ended its
// waits early on its own would fail every attempt.
bool one_wait_lasts_its_timeout(
    signal_waiter& w, const std::function<void()>& before = [] {}) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    before();
    const auto start = std::chrono::steady_clock::now();
    if (w.wait_for(30ms) != std::nullopt) return false;  // no signal was sent
    if (std::chrono::steady_clock::now() - start >= 29ms) return true;
  }
  return false;
}

TEST_F(SignalWaiter, ReturnsNothingOnceTheTimeoutHasPassed) {
  signal_waiter w;
  EXPECT_TRUE(one_wait_lasts_its_timeout(w));
  EXPECT_EQ(w.wait_for(0ms), std::nullopt);  // a poll: nothing pending
}

TEST_F(SignalWaiter, AnEarlierDeadlineDoesNotEndTheNextWaitEarly) {
  signal_waiter w;
  // Short waits whose timer may expire after poll's own timeout, leaving it unread.
  EXPECT_TRUE(one_wait_lasts_its_timeout(w, [&w] {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(w.wait_for(1ms), std::nullopt);
  }));
}

}  // namespace
}  // namespace cwp::daemon
