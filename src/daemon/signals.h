#pragma once
// Signals the tini way: SIGTERM, SIGINT, SIGHUP and SIGCHLD are blocked in every thread (block
// them before starting any thread) and read synchronously by the main loop; no work happens in
// an asynchronous handler.

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

// Reaps every exited child that is not waited for by its own spawner (as PID 1 must: orphans
// re-parented to us would otherwise stay zombies). Returns how many were reaped.
int reap_children();

}  // namespace cwp::daemon
