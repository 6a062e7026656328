#pragma once
// Signals the tini way: SIGTERM, SIGINT, SIGHUP and SIGCHLD are blocked in every thread (block
// them before starting any thread) and read synchronously by the main loop; no work happens in
// an asynchronous handler. On SIGCHLD the loop reaps exited children through the process's
// child registry (core/child_registry.h), as PID 1 must.

#include <chrono>
#include <optional>

namespace cwp::daemon {

// Blocks the daemon's signals in the calling thread; threads started afterwards inherit it.
void block_daemon_signals();

// Waits for one of the blocked signals or the timeout.
class waiter {
 public:
  waiter() = default;
  waiter(const waiter&) = delete;
  waiter& operator=(const waiter&) = delete;
  waiter(waiter&&) = delete;
  waiter& operator=(waiter&&) = delete;
  virtual ~waiter() = default;
  // Returns the signal number that arrived, or nullopt when the timeout passed (or, for a waiter
  // that notices clock changes, the wall clock was set or the host resumed from suspend).
  virtual std::optional<int> wait_for(std::chrono::milliseconds timeout) = 0;
  // True when wait_for returns early as soon as the wall clock is set or the host resumes, so
  // the caller need not wake every second to look for clock jumps itself.
  virtual bool notices_clock_changes() const { return false; }
};

// The daemon's waiter: a signalfd for the signals, and a timerfd on the wall clock, armed at the
// timeout's wall-clock deadline with TFD_TIMER_CANCEL_ON_SET, so that setting the clock or a
// resume from suspend (the deadline has passed in wall time) ends the wait. If either cannot be
// created (out of descriptors), it falls back to sigtimedwait and does not notice clock changes.
class signal_waiter final : public waiter {
 public:
  signal_waiter();
  ~signal_waiter() override;
  signal_waiter(const signal_waiter&) = delete;
  signal_waiter& operator=(const signal_waiter&) = delete;
  signal_waiter(signal_waiter&&) = delete;
  signal_waiter& operator=(signal_waiter&&) = delete;

  std::optional<int> wait_for(std::chrono::milliseconds timeout) override;
  bool notices_clock_changes() const override { return signal_fd_ >= 0 && timer_fd_ >= 0; }

 private:
  // Arms the wall-clock timer at now + timeout (a refusal only loses the clock-change notice).
  void arm(std::chrono::milliseconds timeout) const;

  int signal_fd_{-1};
  int timer_fd_{-1};
};

}  // namespace cwp::daemon
