#include "daemon/job_service.h"

#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "jobs/crontab.h"
#include "support/capturing_sink.h"
#include "support/scripted_logs.h"

namespace cwp::daemon {
namespace {

using namespace std::chrono_literals;

// The crontab's jobs on the fake clock (which decides when they are due), running real
// processes; events go to a shipper whose transport accepts everything.
class JobService : public ::testing::Test, protected testing::scripted_logs {
 protected:
  JobService() {
    transport.otherwise([](const http::request&) -> testing::scripted_transport::step {
      return http::response{200, {}, "{}"};
    });
  }

  std::unique_ptr<job_service> service(std::string_view crontab_text) {
    jobs::parse_options options;
    options.shell_exists = [](const std::string&) { return true; };
    auto tab = jobs::parse_crontab(crontab_text, "crontab", options);
    EXPECT_TRUE(tab) << tab.error().message;
    return std::make_unique<job_service>(job_service::parts{.jobs = std::move(tab->jobs),
                                                            .default_stream = "job-{job}",
                                                            .default_max_output = 1 << 20,
                                                            .stream_values = {"host", ""},
                                                            .environment = {"PATH=/usr/bin:/bin"},
                                                            .boot_id = "boot",
                                                            .source = {"host", std::nullopt},
                                                            .shipper = &shipper_,
                                                            .children = &children,
                                                            .clock = &clock,
                                                            .log = &log,
                                                            .output_ready = {},
                                                            .congested = {}});
  }

  // Moves the clock forward by `d` the way the loop does: polling whenever a poll asks to be.
  void pass(job_service& jobs, std::chrono::seconds d) {
    const auto until = clock.monotonic() + d;
    while (clock.monotonic() < until) {
      clock.advance(std::min<std::chrono::nanoseconds>(jobs.poll(), until - clock.monotonic()));
    }
    jobs.poll();
  }

  // The result events delivered, in order.
  std::vector<nlohmann::json> results() {
    EXPECT_FALSE(shipper_.flush().error);
    std::vector<nlohmann::json> out;
    for (const auto& req : transport.requests()) {
      if (req.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
      const auto body = nlohmann::json::parse(req.body);
      for (const auto& e : body["logEvents"]) {
        const auto message = e["message"].get<std::string>();
        if (message.starts_with("{\"event\":\"job_result\"")) {
          out.push_back(nlohmann::json::parse(message));
        }
      }
    }
    return out;
  }

  core::child_registry children;
  testing::capturing_sink sink;
  logging::logger log{sink, clock, "cloudwatch-publisher"};
  cloudwatch::publisher pub_{logs, log, {"/g", std::nullopt}};
  cloudwatch::shipper shipper_{pub_, log, clock};
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

}  // namespace
}  // namespace cwp::daemon
