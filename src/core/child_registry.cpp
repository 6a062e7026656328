#include "core/child_registry.h"

#include <sys/wait.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace cwp::core {
namespace {

// How often an owner without a reaper looks at its child again (the reaper wakes it at once).
constexpr std::chrono::milliseconds poll_interval{10};

}  // namespace

result<child_registry::child> child_registry::spawn(const std::function<result<pid_t>()>& start) {
  const std::lock_guard lock(mutex_);
  auto pid = start();
  if (!pid) return tl::unexpected(pid.error());
  registered_.insert(*pid);
  return child(*this, *pid);
}

int child_registry::reap() {
  int orphans = 0;
  {
    const std::lock_guard lock(mutex_);
    for (;;) {
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, WNOHANG);
      if (pid < 0 && errno == EINTR) continue;
      if (pid <= 0) break;  // 0: children left, none exited; ECHILD: no children at all
      if (registered_.contains(pid)) {
        exited_[pid] = status;
      } else {
        ++orphans;
      }
    }
  }
  reaped_.notify_all();
  return orphans;
}

result<std::optional<int>> child_registry::wait(pid_t pid, steady::time_point deadline) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (auto it = exited_.find(pid); it != exited_.end()) return std::optional<int>{it->second};
    int status = 0;
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      exited_[pid] = status;  // a second wait gives the same answer
      return std::optional<int>{status};
    }
    if (done < 0 && errno == EINTR) continue;
    if (done < 0) {
      // Neither our reaper nor we collected it: something outside the registry did.
      return fail(errc::io, "the exit status of process " + std::to_string(pid) +
                                " is unknown: " + std::system_category().message(errno));
    }
    const auto now = steady::now();
    if (now >= deadline) return std::optional<int>{};
    reaped_.wait_until(lock, deadline - now < poll_interval ? deadline : now + poll_interval);
  }
}

void child_registry::forget(pid_t pid) {
  const std::lock_guard lock(mutex_);
  registered_.erase(pid);
  exited_.erase(pid);
}

}  // namespace cwp::core
