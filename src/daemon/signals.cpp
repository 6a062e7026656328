#include "daemon/signals.h"

#include <csignal>
#include <ctime>

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

}  // namespace cwp::daemon
