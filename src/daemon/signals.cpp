#include "daemon/signals.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <ctime>
#include <limits>

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

timespec to_timespec(std::chrono::nanoseconds d) {
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(d);
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(secs.count());
  ts.tv_nsec = static_cast<long>((d - secs).count());
  return ts;
}

// The old way, when the descriptors could not be made: no clock-change notice.
std::optional<int> timed_wait(std::chrono::milliseconds timeout) {
  const sigset_t set = daemon_signals();
  const timespec ts = to_timespec(timeout);
  siginfo_t info{};
  const int sig = sigtimedwait(&set, &info, &ts);
  if (sig < 0) return std::nullopt;  // EAGAIN (timeout) or EINTR (a non-blocked signal)
  return sig;
}

int signal_descriptor() {
  const sigset_t set = daemon_signals();
  return ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

void block_daemon_signals() {
  const sigset_t set = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

signal_waiter::signal_waiter()
    : signal_fd_(signal_descriptor()),
      timer_fd_(::timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK)) {
  if (signal_fd_ < 0 || timer_fd_ < 0) {
    close_fd(signal_fd_);
    close_fd(timer_fd_);
  }
}

signal_waiter::~signal_waiter() {
  close_fd(signal_fd_);
  close_fd(timer_fd_);
}

void signal_waiter::arm(std::chrono::milliseconds timeout) const {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const auto deadline = std::chrono::seconds{now.tv_sec} + std::chrono::nanoseconds{now.tv_nsec} +
                        std::max(timeout, std::chrono::milliseconds{1});
  itimerspec spec{};
  spec.it_value = to_timespec(deadline);
  ::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr);
}

std::optional<int> signal_waiter::wait_for(std::chrono::milliseconds timeout) {
  if (!notices_clock_changes()) return timed_wait(timeout);
  // A timer that cannot be armed (a deadline beyond what the kernel takes) still leaves the
  // monotonic timeout of poll below: the wait only loses its clock-change notice.
  arm(timeout);
  std::array<pollfd, 2> fds{pollfd{signal_fd_, POLLIN, 0}, pollfd{timer_fd_, POLLIN, 0}};
  const auto ms = std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0,
                                                             std::numeric_limits<int>::max());
  const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(ms));
  if (ready <= 0) return std::nullopt;  // the timeout, or EINTR
  if ((fds[0].revents & POLLIN) != 0) {
    signalfd_siginfo info{};
    if (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      return static_cast<int>(info.ssi_signo);
    }
  }
  if ((fds[1].revents & POLLIN) != 0) {
    // The deadline passed (read gives the expiry count) or the clock was set (ECANCELED):
    // either way the caller polls its clocks again. Reading clears the readiness.
    std::uint64_t expirations = 0;
    [[maybe_unused]] const auto n = ::read(timer_fd_, &expirations, sizeof expirations);
  }
  return std::nullopt;
}

}  // namespace cwp::daemon
