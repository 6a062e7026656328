#pragma once
// Runs one job at a time on its own thread, so the main loop keeps reading signals and ticks
// while a delivery waits on the network. trigger() never queues a second run: a trigger while
// busy returns false (the caller logs it; the running job picks up whatever was recorded).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace cwp::daemon {

class runner {
 public:
  runner() = default;
  runner(const runner&) = delete;
  runner& operator=(const runner&) = delete;
  runner(runner&&) = delete;
  runner& operator=(runner&&) = delete;
  virtual ~runner() = default;
  // Starts the job unless it is running; returns whether it started.
  virtual bool trigger() = 0;
  virtual bool busy() const = 0;
  // Waits until the job is idle or the timeout passes; returns whether it is idle.
  virtual bool wait_idle(std::chrono::milliseconds timeout) = 0;
};

class thread_runner final : public runner {
 public:
  explicit thread_runner(std::function<void()> job);
  // Joins the thread when idle. A job still running (a request stuck past the grace period)
  // makes this detach instead; the process is about to exit anyway.
  thread_runner(const thread_runner&) = delete;
  thread_runner& operator=(const thread_runner&) = delete;
  thread_runner(thread_runner&&) = delete;
  thread_runner& operator=(thread_runner&&) = delete;
  ~thread_runner() override;

  bool trigger() override;
  bool busy() const override;
  bool wait_idle(std::chrono::milliseconds timeout) override;

 private:
  void loop();

  std::function<void()> job_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool requested_{false};
  bool running_{false};
  bool stopping_{false};
  std::thread thread_;
};

}  // namespace cwp::daemon
