#include "daemon/signals.h"

#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <ctime>

#include "core/owned_children.h"

namespace cwp::daemon {
namespace {

sigset_t daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGCHLD);
  return set;
}

}  // namespace

void block_daemon_signals() {
  const sigset_t set = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::optional<int> signal_waiter::wait_for(std::chrono::milliseconds timeout) {
  const sigset_t set = daemon_signals();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(secs.count());
  ts.tv_nsec = static_cast<long>(std::chrono::nanoseconds(timeout - secs).count());
  siginfo_t info{};
  const int sig = sigtimedwait(&set, &info, &ts);
  if (sig < 0) return std::nullopt;  // EAGAIN (timeout) or EINTR (a non-blocked signal)
  return sig;
}

int reap_children() {
  int reaped = 0;
  while (true) {
    siginfo_t info{};
    // Peek without reaping: a child someone waits for explicitly (credential_process) is left
    // for that waiter; everything else (orphans given to PID 1) is reaped here.
    if (waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) break;
    if (core::is_owned_child(info.si_pid)) break;  // its spawner reaps it; SIGCHLD comes again
    if (waitpid(info.si_pid, nullptr, WNOHANG) <= 0) break;
    ++reaped;
  }
  return reaped;
}

}  // namespace cwp::daemon
