#include "daemon/worker.h"

namespace cwp::daemon {

thread_runner::thread_runner(std::function<void()> job) : job_(std::move(job)) {
  thread_ = std::thread([this] { loop(); });
}

thread_runner::~thread_runner() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (busy()) {
    thread_.detach();
  } else {
    thread_.join();
  }
}

bool thread_runner::trigger() {
  {
    const std::lock_guard lock(mutex_);
    if (running_ || requested_ || stopping_) return false;
    requested_ = true;
  }
  cv_.notify_all();
  return true;
}

bool thread_runner::busy() const {
  const std::lock_guard lock(mutex_);
  return running_ || requested_;
}

bool thread_runner::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [this] { return !running_ && !requested_; });
}

void thread_runner::loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    cv_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_ && !requested_) return;
    requested_ = false;
    running_ = true;
    lock.unlock();
    job_();
    lock.lock();
    running_ = false;
    cv_.notify_all();
  }
}

}  // namespace cwp::daemon
