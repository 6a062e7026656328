#include "daemon/job_service.h"

#include <gtest/gtest.h>

#include <csignal>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "jobs/crontab.h"
#include "support/capturing_sink.h"
#include "support/scripted_jobs.h"

namespace cwp::daemon {
namespace {

using namespace std::chrono_literals;

// The crontab's jobs on the fake clock (which decides when they are due), running real
// processes; events go to a shipper whose transport accepts everything.
class JobService : public ::testing::Test, protected testing::scripted_jobs {
 protected:
  JobService() {
    transport.otherwise([](const http::request&) -> testing::scripted_transport::step {
      return http::response{200, {}, "{}"};
    });
  }

  static std::vector<jobs::job_spec> specs(std::string_view crontab_text) {
    jobs::parse_options options;
    options.shell_exists = [](const std::string&) { return true; };
    auto tab = jobs::parse_crontab(crontab_text, "crontab", options);
    EXPECT_TRUE(tab) << tab.error().message;
    return tab ? std::move(tab->jobs) : std::vector<jobs::job_spec>{};
  }

  std::unique_ptr<job_service> service(std::string_view crontab_text) {
    return job_service_of(specs(crontab_text), {"PATH=/usr/bin:/bin"});
  }

  // Moves the clock forward by `d` the way the loop does: polling whenever a poll asks to be.
  void pass(job_service& jobs, std::chrono::seconds d) {
    const auto until = clock.monotonic() + d;
    while (clock.monotonic() < until) {
      clock.advance(std::min<std::chrono::nanoseconds>(jobs.poll(), until - clock.monotonic()));
    }
    jobs.poll();
  }

  // Readiness for what real processes do in real time (their output, their end): waits up to
  // 10 s of real time for `done`.
  static bool eventually(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(2ms);  // poll interval of a deadline-bounded wait
    }
    return true;
  }
  bool idle(const job_service& jobs) {
    return eventually([&jobs] { return jobs.running() == 0; });
  }
  bool wrote(std::size_t events) {
    return eventually([this, events] { return shipper.pending() >= events; });
  }

  // Every event delivered, in order, as (stream, message).
  std::vector<std::pair<std::string, std::string>> delivered() {
    EXPECT_FALSE(shipper.flush().error);
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& req : transport.requests()) {
      if (req.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
      const auto body = nlohmann::json::parse(req.body);
      for (const auto& e : body["logEvents"]) {
        out.emplace_back(body["logStreamName"], e["message"]);
      }
    }
    return out;
  }

  // The result events delivered, in order.
  std::vector<nlohmann::json> results() {
    std::vector<nlohmann::json> out;
    for (const auto& [stream, message] : delivered()) {
      if (message.starts_with("{\"event\":\"job_result\"")) {
        out.push_back(nlohmann::json::parse(message));
      }
    }
    return out;
  }

  // The output lines delivered (everything but result events).
  std::vector<std::string> output() {
    std::vector<std::string> out;
    for (const auto& [stream, message] : delivered()) {
      if (!message.starts_with("{\"event\":")) out.push_back(message);
    }
    return out;
  }
};

TEST_F(JobService, ARunDueWhileThePreviousGoesIsSkippedWithAWarnAndStopAllEndsTheRunning) {
  auto jobs = service("# cwp: name=long\n@every 1m exec sleep 30\n");
  jobs->poll();  // plans the first run a minute from now
  EXPECT_EQ(jobs->running(), 0U);
  pass(*jobs, 61s);
  EXPECT_EQ(jobs->running(), 1U);
  pass(*jobs, 61s);
  EXPECT_EQ(jobs->running(), 1U);
  EXPECT_TRUE(sink.contains("job long skipped: the previous run is still going (overlap=skip)"));

  EXPECT_EQ(jobs->stop_all(10s), 0U);
  EXPECT_EQ(jobs->running(), 0U);
  const auto r = results();
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[0]["outcome"], "skipped");
  EXPECT_EQ(r[0]["run_id"], "boot-long-2");
  EXPECT_EQ(r[1]["outcome"], "failure");
  EXPECT_EQ(r[1]["signal"], "SIGTERM");
  EXPECT_EQ(r[1]["reason"], "stopped: cloudwatch-publisher is shutting down");
}

// A run that ended after the last poll has not been collected yet (its thread not joined):
// the service still owns it and frees it when it goes. The run's copy of `output_ready` holds
// a token, so the token's count shows whether the run was destroyed.
TEST_F(JobService, ARunThatEndedSinceTheLastPollIsFreedWithTheService) {
  auto token = std::make_shared<int>(0);
  auto jobs = job_service_of(specs("# cwp: name=quick\n@every 1m exec sleep 0.2\n"), {},
                             [token] { ++*token; });
  pass(*jobs, 61s);  // starts the run (in microseconds: it is still sleeping when this returns)
  ASSERT_EQ(jobs->running(), 1U);
  ASSERT_TRUE(idle(*jobs));         // it ended; no poll since
  ASSERT_GT(token.use_count(), 2);  // ours, the service's parts and the run's output
  jobs.reset();
  EXPECT_EQ(token.use_count(), 1);
  EXPECT_GE(*token, 1);  // the run's result was written
}

TEST_F(JobService, WithOverlapAllowBothRunsGoOn) {
  auto jobs = service("# cwp: name=long overlap=allow\n@every 1m exec sleep 30\n");
  jobs->poll();
  pass(*jobs, 61s);
  pass(*jobs, 61s);
  EXPECT_EQ(jobs->running(), 2U);
  jobs->stop_all(10s);
  EXPECT_EQ(results().size(), 2U);
}

TEST_F(JobService, WithOverlapReplaceTheOldRunIsStoppedForTheNewOne) {
  auto jobs = service("# cwp: name=long overlap=replace\n@every 1m exec sleep 30\n");
  jobs->poll();
  pass(*jobs, 61s);
  pass(*jobs, 61s);
  jobs->stop_all(10s);
  const auto r = results();
  ASSERT_EQ(r.size(), 2U);
  const auto replaced = r[0]["run_id"] == "boot-long-1" ? r[0] : r[1];
  EXPECT_EQ(replaced["reason"].get<std::string>().rfind("replaced by the run scheduled at", 0), 0U)
      << replaced.dump();
}

TEST_F(JobService, APauseIsNotBackfilled) {
  auto jobs = service("# cwp: name=quick\n@every 1m true\n");
  jobs->poll();
  clock.advance(10min);  // the process was stopped meanwhile: ten runs were due
  jobs->poll();
  EXPECT_TRUE(sink.contains("Missed"));
  EXPECT_TRUE(sink.contains("scheduled runs of job quick"));
  jobs->stop_all(10s);
  EXPECT_EQ(results().size(), 0U);  // none of them run late
}

// SIGHUP (daemon::job_service::reload): the crontab read again replaces the jobs by name.

TEST_F(JobService, AReloadWhileARunIsDueKeepsThatRunForAnUnchangedJob) {
  const char* tab = "# cwp: name=tick\n@every 1m echo tick\n";
  auto jobs = service(tab);
  jobs->poll();
  // The run is due (the next whole minute); the loop reads a SIGHUP before it polls.
  clock.advance(60s - clock.now().time_since_epoch() % 60s);
  const auto done = jobs->reload(specs(tab));
  EXPECT_EQ(done.jobs, 1U);
  EXPECT_EQ(done.unchanged, 1U);
  EXPECT_EQ(done.added + done.changed + done.removed, 0U);
  jobs->poll();
  ASSERT_TRUE(idle(*jobs));
  jobs->stop_all(10s);
  const auto r = results();
  ASSERT_EQ(r.size(), 1U);
  EXPECT_EQ(r[0]["outcome"], "success");
  EXPECT_EQ(r[0]["run_id"], "boot-tick-1");
}

TEST_F(JobService, AChangedJobRunsItsNewCommandFromItsNextRunWhileTheRunningOneGoesOn) {
  auto jobs = service("# cwp: name=work overlap=allow\n@every 1m echo old; exec sleep 30\n");
  jobs->poll();
  pass(*jobs, 61s);
  ASSERT_EQ(jobs->running(), 1U);
  ASSERT_TRUE(wrote(1));  // "old"

  const auto done = jobs->reload(specs("# cwp: name=work overlap=allow\n@every 1m echo new\n"));
  EXPECT_EQ(done.changed, 1U);
  EXPECT_EQ(jobs->running(), 1U);  // not stopped by the reload
  pass(*jobs, 60s);                // the next run is the new command
  ASSERT_TRUE(eventually([&jobs] { return jobs->running() == 1; }));  // it ended, the old goes on

  EXPECT_EQ(jobs->stop_all(10s), 0U);
  EXPECT_EQ(output(), (std::vector<std::string>{"old", "new"}));
  auto r = results();
  ASSERT_EQ(r.size(), 2U);
  std::sort(r.begin(), r.end(),
            [](const auto& a, const auto& b) { return a["run_id"] < b["run_id"]; });
  EXPECT_EQ(r[0]["run_id"], "boot-work-1");  // the old command, ended by the shutdown
  EXPECT_EQ(r[0]["signal"], "SIGTERM");
  EXPECT_EQ(r[1]["run_id"], "boot-work-2");  // run numbers go on
  EXPECT_EQ(r[1]["outcome"], "success");
}

TEST_F(JobService, ARunningRunOfAChangedJobStillCountsForItsOverlapPolicy) {
  auto jobs = service("# cwp: name=long\n@every 1m exec sleep 30\n");
  jobs->poll();
  pass(*jobs, 61s);
  jobs->reload(specs("# cwp: name=long timeout=5m\n@every 1m exec sleep 30\n"));
  pass(*jobs, 60s);
  EXPECT_EQ(jobs->running(), 1U);
  jobs->stop_all(10s);
  const auto r = results();
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[0]["outcome"], "skipped");
  EXPECT_EQ(r[0]["run_id"], "boot-long-2");
}

TEST_F(JobService, ARemovedJobStopsBeingScheduledItsRunningRunEndsAndReportsAndAnAddedJobStarts) {
  auto jobs = service("# cwp: name=long\n@every 1m echo started; exec sleep 30\n");
  jobs->poll();
  pass(*jobs, 61s);
  ASSERT_EQ(jobs->running(), 1U);
  ASSERT_TRUE(wrote(1));  // "started"

  const auto done = jobs->reload(specs("# cwp: name=fresh\n@every 1m echo fresh\n"));
  EXPECT_EQ(done.jobs, 1U);
  EXPECT_EQ(done.added, 1U);
  EXPECT_EQ(done.removed, 1U);
  EXPECT_EQ(jobs->size(), 1U);
  EXPECT_EQ(jobs->running(), 1U);         // the removed job's run goes on
  for (int tick = 0; tick < 2; ++tick) {  // fresh runs twice, long not at all
    pass(*jobs, 60s);
    ASSERT_TRUE(eventually([&jobs] { return jobs->running() == 1; }));
  }

  EXPECT_EQ(jobs->stop_all(10s), 0U);  // stops the removed job's run too
  EXPECT_EQ(jobs->running(), 0U);
  std::vector<std::string> outcomes;
  for (const auto& r : results())
    outcomes.push_back(r["run_id"].get<std::string>() + " " + r["outcome"].get<std::string>());
  std::sort(outcomes.begin(), outcomes.end());
  EXPECT_EQ(outcomes, (std::vector<std::string>{"boot-fresh-1 success", "boot-fresh-2 success",
                                                "boot-long-1 failure"}));
  auto lines = output();
  std::sort(lines.begin(), lines.end());
  EXPECT_EQ(lines, (std::vector<std::string>{"fresh", "fresh", "started"}));
}

TEST_F(JobService, AJobRemovedAndAddedBackGoesOnWithItsRunNumbers) {
  const char* tab = "# cwp: name=tick\n@every 1m echo tick\n";
  auto jobs = service(tab);
  jobs->poll();
  pass(*jobs, 61s);
  ASSERT_TRUE(idle(*jobs));
  jobs->reload(specs("# cwp: name=other\n@hourly echo other\n"));
  jobs->reload(specs(tab));
  pass(*jobs, 61s);
  ASSERT_TRUE(idle(*jobs));
  jobs->stop_all(10s);
  const auto r = results();
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[1]["run_id"], "boot-tick-2");  // not a second boot-tick-1
}

TEST_F(JobService, AChangedScheduleIsPlannedFromTheReload) {
  auto jobs = service("# cwp: name=tick\n@every 1m echo tick\n");
  jobs->poll();
  pass(*jobs, 30s);
  const auto done = jobs->reload(specs("# cwp: name=tick\n@hourly echo tick\n"));
  EXPECT_EQ(done.changed, 1U);
  pass(*jobs, 5min);  // the old schedule would have run five times
  jobs->stop_all(10s);
  EXPECT_TRUE(results().empty());
}

}  // namespace
}  // namespace cwp::daemon
