#pragma once
// The crontab's jobs inside `run`: each job has a scheduler of its own (the heartbeat's rules:
// no backfill after a pause or a clock jump, one WARN for what was missed); a due run starts
// on a thread of its own (jobs::job_run), so the main loop keeps reading signals and ticks
// while jobs run. Overlap follows the job's policy: skip (a `skipped` result and a WARN),
// allow, or replace (the old run is stopped as on timeout). When a run ends its result is
// published (jobs::publish_result) and the delivery worker is asked to deliver.
// reload() swaps in a crontab read again (SIGHUP) without touching what runs.
//
// poll(), reload() and stop_all() belong to the main loop's thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cloudwatch/names.h"
#include "cloudwatch/shipper.h"
#include "core/child_registry.h"
#include "core/clock.h"
#include "jobs/job_spec.h"
#include "jobs/run_result.h"
#include "jobs/runner.h"
#include "logging/logger.h"
#include "schedule/scheduler.h"

namespace cwp::daemon {

class job_service {
 public:
  struct parts {
    std::vector<jobs::job_spec> jobs;
    std::string default_stream;  // CWP_JOB_STREAM, with {job}
    std::uint64_t default_max_output{0};
    cloudwatch::template_values stream_values;  // final: {instance_id} resolved
    std::vector<std::string> environment;       // ours, "NAME=value"
    std::string boot_id;
    jobs::result_source source;
    cloudwatch::shipper* shipper;
    core::child_registry* children;
    const core::clock* clock;
    const logging::logger* log;
    std::function<void()> output_ready;  // thread-safe: events were enqueued
    std::function<bool()> congested;     // thread-safe: see jobs::run_output::congested
  };

  explicit job_service(parts p);
  job_service(const job_service&) = delete;
  job_service& operator=(const job_service&) = delete;
  job_service(job_service&&) = delete;
  job_service& operator=(job_service&&) = delete;
  ~job_service();  // stops and waits for what still runs

  // Starts what is due now (the first poll plans each job's first run after now); returns how
  // long until the next poll is needed.
  std::chrono::milliseconds poll();
  // Shutdown: SIGTERM to every running job (a failure with reason "stopped: ..."), waits up to
  // `grace` for them to end and publish their results, then SIGKILLs what is left and waits for
  // that. Returns how many runs were still going at the grace.
  std::size_t stop_all(std::chrono::milliseconds grace);

  // What reload() did, by job name.
  struct reload_summary {
    std::size_t jobs{0};       // scheduled from now on
    std::size_t added{0};      // a name that was not there
    std::size_t changed{0};    // the same name, another schedule, command, variable or option
    std::size_t removed{0};    // a name that is gone
    std::size_t unchanged{0};  // the same name and definition
  };
  // SIGHUP: the jobs of the crontab read again replace the current ones, matched by name. An
  // unchanged job keeps its planned next run. A changed job takes its new definition from its
  // next run on: with the same schedule its planned run stays, with another one it is planned
  // at the next poll (the first tick after it). A removed job is not started again. Runs that
  // are going on are never touched: they end as they would have (their timeout, output bound
  // and stream are those they started with), their output and result are published, a changed
  // job's running run still counts for its overlap policy, and stop_all() stops them too. Run
  // numbers go on per name, so run ids stay unique.
  reload_summary reload(std::vector<jobs::job_spec> specs);

  std::size_t running() const;
  std::size_t size() const { return jobs_.size(); }  // jobs scheduled

 private:
  struct active_run {
    std::unique_ptr<jobs::job_run> run;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  struct job_state {
    jobs::job_spec spec;
    cloudwatch::stream_names stream;
    schedule::scheduler scheduler;
    std::list<std::unique_ptr<active_run>> active;
  };

  std::unique_ptr<job_state> make_state(jobs::job_spec spec);
  template <class F>
  void each_state(F&& f) const;  // jobs_ and retired_
  void start(job_state& job, core::sys_time scheduled);
  void skip(job_state& job, core::sys_time scheduled, const std::string& stream);
  jobs::run_request request_for(job_state& job, core::sys_time scheduled);
  void join_finished();
  bool wait_all(std::chrono::milliseconds timeout);

  parts p_;
  std::vector<std::unique_ptr<job_state>> jobs_;
  // Removed by a reload while runs of theirs were going on; dropped when those have ended.
  std::vector<std::unique_ptr<job_state>> retired_;
  std::map<std::string, std::uint64_t> runs_;  // runs started or skipped, by job name
  std::uint64_t next_seed_{1};                 // of the schedulers (they have no splay)
  mutable std::mutex mutex_;
  std::condition_variable finished_;
};

}  // namespace cwp::daemon
