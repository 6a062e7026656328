#include "jobs/runner.h"

#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "jobs/spawn.h"
#include "support/capturing_sink.h"
#include "support/scripted_logs.h"

namespace cwp::jobs {
namespace {

using namespace std::chrono_literals;

// Real processes on the real clock; their events go through a shipper to the scripted
// transport, which accepts everything, so the tests read back what would have been stored.
class Runner : public ::testing::Test, protected testing::scripted_logs {
 protected:
  Runner() {
    transport.otherwise([](const http::request&) -> testing::scripted_transport::step {
      return http::response{200, {}, "{}"};
    });
  }

  run_request shell(std::string command) const {
    run_request r;
    r.job = "test";
    r.run_id = "boot-test-1";
    r.scheduled = real.now();
    r.command.shell = "/bin/sh";
    r.command.command = std::move(command);
    r.command.environment = {"PATH=/usr/bin:/bin"};
    return r;
  }

  // Runs `r`; `on_output` is called (on the run's thread) whenever new events were enqueued.
  run_result run(const run_request& r, const std::function<void(job_run&)>& on_output = {}) {
    job_run* self = nullptr;
    run_output out{
        .shipper = &shipper_, .stream = "job-test", .notify = {}, .congested = congested};
    if (on_output) out.notify = [&self, &on_output] { on_output(*self); };
    job_run job(children, real, out);
    self = &job;
    auto result = job.run(r);
    last_ts = job.last_timestamp_ms();
    return result;
  }

  // Every message delivered, in order, with whether its batch had the EMF header.
  std::vector<std::string> delivered(bool* any_emf = nullptr) {
    const auto d = shipper_.flush();
    EXPECT_FALSE(d.error) << d.error->message;
    EXPECT_EQ(d.pending, 0U);
    EXPECT_EQ(d.dropped + d.rejected, 0U);
    std::vector<std::string> out;
    for (const auto& req : transport.requests()) {
      if (req.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
      const bool emf = req.find_header("x-amzn-logs-format") == "json/emf";
      const auto body = nlohmann::json::parse(req.body);
      for (const auto& e : body["logEvents"]) {
        out.push_back(e["message"].get<std::string>());
        if (any_emf != nullptr && emf) *any_emf = true;
      }
    }
    return out;
  }

  std::function<bool()> congested;  // run_output::congested of the runs
  core::system_clock real;
  core::child_registry children;
  testing::capturing_sink sink;
  logging::logger log{sink, real, "cloudwatch-publisher"};
  cloudwatch::publisher pub_{logs, log, {"/g", std::nullopt}};
  cloudwatch::shipper shipper_{pub_, log, real};
  std::int64_t last_ts{0};
};

TEST_F(Runner, ShipsEachLineAsAnEventInOrderAndReportsTheExitCode) {
  const auto r = run(shell("echo one; echo two; echo three; exit 3"));
  EXPECT_EQ(r.result, outcome::failure);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.signal);
  EXPECT_EQ(r.output_lines, 3U);
  EXPECT_EQ(r.output_bytes, 14U);  // "one\ntwo\nthree\n"
  EXPECT_EQ(r.output_tail, "one\ntwo\nthree\n");
  EXPECT_EQ(delivered(), (std::vector<std::string>{"one", "two", "three"}));
}

TEST_F(Runner, CapturesStderrToo) {
  const auto r = run(shell("echo to-stderr >&2"));
  EXPECT_EQ(r.result, outcome::success);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(delivered(), (std::vector<std::string>{"to-stderr"}));
}

TEST_F(Runner, ExecutesAPlainCommandDirectlyFindingItOnTheJobsPath) {
  auto r = shell("");
  r.command.argv = std::vector<std::string>{"echo", "hello", "$HOME"};  // no shell: no expansion
  const auto result = run(r);
  EXPECT_EQ(result.result, outcome::success);
  EXPECT_EQ(delivered(), (std::vector<std::string>{"hello $HOME"}));
}

TEST_F(Runner, AProgramThatIsNotOnThePathIsAFailureWithAReason) {
  auto r = shell("");
  r.command.argv = std::vector<std::string>{"no-such-program-here"};
  const auto result = run(r);
  EXPECT_EQ(result.result, outcome::failure);
  EXPECT_FALSE(result.exit_code);
  EXPECT_FALSE(result.signal);
  EXPECT_NE(result.reason.find("no-such-program-here: not found on the PATH (/usr/bin:/bin)"),
            std::string::npos)
      << result.reason;
}

TEST_F(Runner, TheJobGetsItsEnvironment) {
  auto r = shell("echo \"$GREETING\"");
  r.command.environment.emplace_back("GREETING=hello from the crontab");
  EXPECT_EQ(run(r).result, outcome::success);
  EXPECT_EQ(delivered(), (std::vector<std::string>{"hello from the crontab"}));
}

TEST_F(Runner, ATimeoutSendsSigtermToTheProcessGroup) {
  auto r = shell("echo started; sleep 30; echo never");
  r.timeout = 200ms;
  const auto result = run(r);
  EXPECT_EQ(result.result, outcome::timeout);
  EXPECT_GE(result.duration, 200ms);
  EXPECT_LT(result.duration, 10s);  // the sleep in the group was stopped too
  EXPECT_EQ(delivered(), (std::vector<std::string>{"started"}));
}

TEST_F(Runner, AJobThatIgnoresSigtermIsKilledAfterTheGrace) {
  auto r = shell("trap '' TERM; echo started; sleep 30");
  r.timeout = 100ms;
  r.kill_grace = 200ms;
  const auto result = run(r);
  EXPECT_EQ(result.result, outcome::timeout);
  EXPECT_EQ(result.signal, SIGKILL);
  EXPECT_GE(result.duration, 300ms);
  EXPECT_LT(result.duration, 10s);
}

TEST_F(Runner, ForwardsASignalToTheJob) {
  bool sent = false;
  const auto result = run(shell("echo ready; exec sleep 30"), [&sent](job_run& job) {
    if (!sent) job.forward(SIGINT);  // once its first line is in: it runs
    sent = true;
  });
  EXPECT_EQ(result.result, outcome::failure);
  EXPECT_EQ(result.signal, SIGINT);
  EXPECT_FALSE(result.exit_code);
}

TEST_F(Runner, StopEndsTheRunAsAFailureWithTheReason) {
  const auto result = run(shell("echo ready; exec sleep 30"), [](job_run& job) {
    job.stop("stopped: cloudwatch-publisher is shutting down");
  });
  EXPECT_EQ(result.result, outcome::failure);
  EXPECT_EQ(result.signal, SIGTERM);
  EXPECT_EQ(result.reason, "stopped: cloudwatch-publisher is shutting down");
}

TEST_F(Runner, ABackgroundProcessHoldingTheOutputOpenDoesNotHoldTheRunPastTheDrain) {
  const auto result = run(shell("(sleep 3; echo late) & echo done"));
  EXPECT_EQ(result.result, outcome::success);
  EXPECT_GE(result.duration, output_drain);
  EXPECT_LT(result.duration, 3s);  // ended before the background process wrote again
  EXPECT_EQ(delivered(), (std::vector<std::string>{"done"}));
}

TEST_F(Runner, WhileDeliveryIsBehindTheOutputWaitsInsteadOfBeingRead) {
  int checks = 0;
  std::size_t enqueued_while_held = 0;
  congested = [&] {
    if (checks == 5) return false;
    ++checks;
    enqueued_while_held += shipper_.pending();
    return true;
  };
  const auto result = run(shell("echo one; echo two"));
  EXPECT_EQ(result.result, outcome::success);
  EXPECT_EQ(checks, 5);
  EXPECT_EQ(enqueued_while_held, 0U);
  EXPECT_EQ(delivered(), (std::vector<std::string>{"one", "two"}));
}

TEST_F(Runner, ALongLineBecomesSeveralEventsAndNothingIsLost) {
  const auto result = run(shell("head -c 600000 /dev/zero | tr '\\0' a; echo"));
  EXPECT_EQ(result.result, outcome::success);
  EXPECT_EQ(result.output_lines, 1U);
  EXPECT_EQ(result.output_bytes, 600001U);
  const auto events = delivered();
  ASSERT_EQ(events.size(), 3U);
  EXPECT_EQ(events[0].size(), line_piece_bytes);
  EXPECT_EQ(events[0].size() + events[1].size() + events[2].size(), 600000U);
}

TEST_F(Runner, OutputBeyondTheBoundIsCountedButNotPublishedAndAMarkerSaysSo) {
  auto r = shell("for i in 1 2 3 4 5 6 7 8 9 10; do echo line-$i; done; exit 1");
  r.max_output_bytes = 20;  // "line-1" .. "line-3" are 18 bytes
  const auto result = run(r);
  EXPECT_EQ(result.output_lines, 10U);
  EXPECT_TRUE(result.output_truncated);
  EXPECT_NE(result.output_tail.find("line-10\n"), std::string::npos);
  const auto events = delivered();
  ASSERT_EQ(events.size(), 4U);
  EXPECT_EQ(events[2], "line-3");
  const auto marker = nlohmann::json::parse(events[3]);
  EXPECT_EQ(marker["event"], "output_truncated");
  EXPECT_EQ(marker["max_output_bytes"], 20);
  EXPECT_EQ(marker["run_id"], "boot-test-1");
}

TEST_F(Runner, TheResultGoesAfterTheOutputWithTheEmfHeaderAndOurLogLine) {
  const auto result = run(shell("echo out; exit 2"));
  const result_source source{"host-1", cloudwatch::emf_settings{"Jobs", {}}};
  publish_result(result, source, shipper_, "job-test", log, last_ts);
  bool emf = false;
  const auto events = delivered(&emf);
  ASSERT_EQ(events.size(), 2U);
  EXPECT_EQ(events[0], "out");
  const auto doc = nlohmann::json::parse(events[1]);
  EXPECT_EQ(doc["outcome"], "failure");
  EXPECT_EQ(doc["exit_code"], 2);
  EXPECT_EQ(doc["JobFailure"], 1);
  EXPECT_TRUE(emf);
  std::vector<logging::line> about_jobs;
  for (const auto& line : sink.lines()) {
    if (line.message.starts_with("job ")) about_jobs.push_back(line);
  }
  ASSERT_EQ(about_jobs.size(), 1U);
  EXPECT_EQ(about_jobs[0].severity, logging::level::error);
  EXPECT_EQ(about_jobs[0].message, "job test failed: exit code 2");
}

TEST(JobEnvironment, TheCrontabsVariablesAreAddedOverOurs) {
  const auto base = core::map_environment({{"HOME", "/root"}, {"PATH", "/bin"}});
  const auto env = job_environment(base, {{"PATH", "/opt/bin:/bin"}, {"X", "1"}});
  EXPECT_EQ(env, (std::vector<std::string>{"HOME=/root", "PATH=/opt/bin:/bin", "X=1"}));
  EXPECT_EQ(lookup(env, "PATH"), "/opt/bin:/bin");
  EXPECT_FALSE(lookup(env, "PAT"));
}

}  // namespace
}  // namespace cwp::jobs
