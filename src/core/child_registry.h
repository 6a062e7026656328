#pragma once
// The child processes this process spawned and waits for itself (credential_process; later,
// scheduled jobs), and the reaper that collects every other exited child. One registry per
// process, made by the composition root and passed to whoever spawns and to the reaper; it is
// not a global.
//
// Why it exists: as PID 1 we must reap orphans (processes re-parented to us), with
// waitpid(-1, ...), which also collects our own children. So the reaper and the owners share
// one lock: an owner spawns and registers under it, so the reaper never meets an unregistered
// child of ours; the reaper reaps under it and keeps a registered child's exit status for its
// owner; an owner that finds its child already reaped (ECHILD) takes that status. Without a
// reaper (once, check, send) the owner reaps its child itself. Either way the owner gets the
// real exit status.
//
// Thread-safe. Statuses are kept only for registered children until their owner forgets them,
// so memory is bounded by the number of children alive.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "core/error.h"

namespace cwp::core {

class child_registry {
 public:
  class child;

  child_registry() = default;
  child_registry(const child_registry&) = delete;
  child_registry& operator=(const child_registry&) = delete;
  child_registry(child_registry&&) = delete;
  child_registry& operator=(child_registry&&) = delete;
  ~child_registry() = default;

  // Runs `start` (which spawns one child and returns its pid) under the registry's lock and
  // registers the child. `start` must not call back into the registry.
  result<child> spawn(const std::function<result<pid_t>()>& start);

  // The reaper: reaps every child that has exited, without blocking. A registered child's status
  // is kept for its owner; any other child is an orphan and is only reaped. Returns how many
  // orphans were reaped.
  int reap();

 private:
  friend class child;
  using steady = std::chrono::steady_clock;

  result<std::optional<int>> wait(pid_t pid, steady::time_point deadline);
  void forget(pid_t pid);

  std::mutex mutex_;
  std::condition_variable reaped_;  // a registered child's status was stored
  std::set<pid_t> registered_;
  std::map<pid_t, int> exited_;  // wait status of registered children the reaper collected
};

// One registered child, owned by whoever spawned it. Move-only; destroying it forgets the child
// (a child still running then becomes an orphan for the reaper).
class child_registry::child {
 public:
  child(child&& other) noexcept
      : registry_(std::exchange(other.registry_, nullptr)), pid_(other.pid_) {}
  child& operator=(child&&) = delete;
  child(const child&) = delete;
  child& operator=(const child&) = delete;
  ~child() {
    if (registry_ != nullptr) registry_->forget(pid_);
  }

  pid_t pid() const { return pid_; }

  // Waits until the child exits or `deadline` passes. Returns its wait status (as waitpid gives
  // it: WIFEXITED, WEXITSTATUS...), or nullopt at the deadline (the child still runs). Fails
  // with errc::io when the status cannot be known (someone outside the registry reaped it).
  result<std::optional<int>> wait_until(std::chrono::steady_clock::time_point deadline) {
    return registry_->wait(pid_, deadline);
  }

 private:
  friend class child_registry;
  child(child_registry& registry, pid_t pid) : registry_(&registry), pid_(pid) {}

  child_registry* registry_;
  pid_t pid_;
};

}  // namespace cwp::core
