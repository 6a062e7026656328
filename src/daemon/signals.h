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
  // Returns the signal number that arrived, or nullopt when the timeout passed.
  virtual std::optional<int> wait_for(std::chrono::milliseconds timeout) = 0;
};

class signal_waiter final : public waiter {
 public:
  std::optional<int> wait_for(std::chrono::milliseconds timeout) override;
};

}  // namespace cwp::daemon
