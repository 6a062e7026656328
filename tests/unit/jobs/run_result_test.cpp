#include "jobs/run_result.h"

#include <gtest/gtest.h>

#include <csignal>
#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace cwp::jobs {
namespace {

using namespace std::chrono_literals;

core::sys_time at(std::string_view iso) { return *core::parse_iso8601(iso); }

run_result failed_backup() {
  run_result r;
  r.job = "backup";
  r.run_id = make_run_id("0123456789abcdef", "backup", 7);
  r.schedule = "0 3 * * *";
  r.scheduled = at("2026-01-02T03:00:00Z");
  r.started = at("2026-01-02T03:00:00.012Z");
  r.ended = at("2026-01-02T03:00:01.246Z");
  r.duration = 1234ms;
  r.result = outcome::failure;
  r.exit_code = 3;
  r.output_lines = 12;
  r.output_bytes = 345;
  r.output_tail = "pg_dump: error: connection refused\n";
  return r;
}

const result_source plain{"node-7", std::nullopt};
const cloudwatch::emf_settings emf{"CloudWatchPublisher",
                                   {{"LogGroup", "/monorepo-fem/heartbeat"}, {"Host", "node-7"}}};

nlohmann::json document(const run_result& r, const result_source& source = plain) {
  return nlohmann::json::parse(make_result_event(r, source).message);
}

TEST(RunId, IsBootIdJobAndSequence) {
  EXPECT_EQ(make_run_id("0123456789abcdef", "backup-daily", 42),
            "0123456789abcdef-backup-daily-42");
  EXPECT_NE(make_run_id("0123456789abcdef", "a", 1), make_run_id("0123456789abcdef", "a", 2));
  EXPECT_NE(make_run_id("0123456789abcdef", "a", 1), make_run_id("fedcba9876543210", "a", 1));
}

TEST(ResultEvent, IsOneJsonObjectNamedJobResultWithEveryFieldOfTheRun) {
  const auto event = make_result_event(failed_backup(), plain);
  EXPECT_EQ(event.timestamp_ms, core::to_epoch_millis(at("2026-01-02T03:00:01.246Z")));
  const auto j = nlohmann::json::parse(event.message);
  EXPECT_EQ(j["event"], "job_result");
  EXPECT_EQ(j["job"], "backup");
  EXPECT_EQ(j["run_id"], "0123456789abcdef-backup-7");
  EXPECT_EQ(j["outcome"], "failure");
  EXPECT_EQ(j["host"], "node-7");
  EXPECT_EQ(j["schedule"], "0 3 * * *");
  EXPECT_EQ(j["scheduled"], "2026-01-02T03:00:00.000Z");
  EXPECT_EQ(j["start"], "2026-01-02T03:00:00.012Z");
  EXPECT_EQ(j["end"], "2026-01-02T03:00:01.246Z");
  EXPECT_EQ(j["duration_ms"], 1234);
  EXPECT_EQ(j["exit_code"], 3);
  EXPECT_FALSE(j.contains("signal"));
  EXPECT_FALSE(j.contains("reason"));
  EXPECT_EQ(j["output_lines"], 12);
  EXPECT_EQ(j["output_bytes"], 345);
  EXPECT_EQ(j["output_truncated"], false);
  EXPECT_EQ(j["output_tail"], "pg_dump: error: connection refused\n");
  EXPECT_FALSE(j.contains("_aws")) << "no EMF without a namespace";
}

TEST(ResultEvent, ReportsTheSignalByNameAndTheTailOnlyForFailuresAndTimeouts) {
  auto r = failed_backup();
  r.result = outcome::timeout;
  r.exit_code.reset();
  r.signal = SIGKILL;
  auto j = document(r);
  EXPECT_EQ(j["outcome"], "timeout");
  EXPECT_EQ(j["signal"], "SIGKILL");
  EXPECT_FALSE(j.contains("exit_code"));
  EXPECT_TRUE(j.contains("output_tail"));

  r.result = outcome::success;
  r.signal.reset();
  r.exit_code = 0;
  j = document(r);
  EXPECT_EQ(j["outcome"], "success");
  EXPECT_FALSE(j.contains("output_tail"));
}

TEST(ResultEvent, ARunThatCouldNotStartHasAReasonAndNoExitStatus) {
  auto r = failed_backup();
  r.exit_code.reset();
  r.reason = "/app/bin/backup: No such file or directory";
  const auto j = document(r);
  EXPECT_EQ(j["reason"], "/app/bin/backup: No such file or directory");
  EXPECT_FALSE(j.contains("exit_code"));
  EXPECT_FALSE(j.contains("signal"));
}

TEST(ResultEvent, WithEmfCarriesTheJobMetricsUnderTheConfiguredDimensionsPlusJob) {
  const auto j = document(failed_backup(), {"node-7", emf});
  EXPECT_EQ(j["JobSuccess"], 0);
  EXPECT_EQ(j["JobFailure"], 1);
  EXPECT_EQ(j["JobDuration"], 1234);
  EXPECT_EQ(j["Job"], "backup");
  EXPECT_EQ(j["Host"], "node-7");
  EXPECT_EQ(j["LogGroup"], "/monorepo-fem/heartbeat");
  EXPECT_EQ(j["_aws"]["Timestamp"], core::to_epoch_millis(at("2026-01-02T03:00:01.246Z")));
  const auto& directive = j["_aws"]["CloudWatchMetrics"][0];
  EXPECT_EQ(directive["Namespace"], "CloudWatchPublisher");
  EXPECT_EQ(directive["Dimensions"], nlohmann::json::parse(R"([["LogGroup","Host","Job"]])"));
  EXPECT_EQ(directive["Metrics"], nlohmann::json::parse(R"([{"Name":"JobSuccess","Unit":"Count"},
      {"Name":"JobFailure","Unit":"Count"},{"Name":"JobDuration","Unit":"Milliseconds"}])"));
}

TEST(MetricValues, SuccessCountsAsSuccessFailureAndTimeoutAsFailureSkippedAsNeither) {
  auto r = failed_backup();
  r.result = outcome::success;
  EXPECT_TRUE(metric_values(r).success);
  EXPECT_FALSE(metric_values(r).failure);
  r.result = outcome::failure;
  EXPECT_FALSE(metric_values(r).success);
  EXPECT_TRUE(metric_values(r).failure);
  r.result = outcome::timeout;
  EXPECT_FALSE(metric_values(r).success);
  EXPECT_TRUE(metric_values(r).failure);
  EXPECT_EQ(metric_values(r).duration, 1234ms);
  r.result = outcome::skipped;
  EXPECT_FALSE(metric_values(r).success);
  EXPECT_FALSE(metric_values(r).failure);
  EXPECT_FALSE(metric_values(r).duration);
}

TEST(ResultEvent, ASkippedRunDeclaresNoDurationMetric) {
  auto r = failed_backup();
  r.result = outcome::skipped;
  r.exit_code.reset();
  r.duration = 0ms;
  r.reason = "the previous run (0123456789abcdef-backup-6) is still going";
  const auto j = document(r, {"node-7", emf});
  EXPECT_EQ(j["JobSuccess"], 0);
  EXPECT_EQ(j["JobFailure"], 0);
  EXPECT_FALSE(j.contains("JobDuration"));
  for (const auto& m : j["_aws"]["CloudWatchMetrics"][0]["Metrics"]) {
    EXPECT_NE(m["Name"], "JobDuration");
  }
}

// parse_emf_dimensions must refuse, as a dimension name, every member a result document has:
// a dimension value written as a root member would overwrite it.
TEST(ResultEvent, EveryMemberOfTheDocumentIsRefusedAsADimensionName) {
  auto r = failed_backup();
  r.signal = SIGTERM;
  r.reason = "x";
  const auto j = document(r, {"node-7", emf});
  for (const auto& [member, value] : j.items()) {
    if (member == "LogGroup" || member == "Host") continue;  // the configured dimensions
    EXPECT_FALSE(cloudwatch::parse_emf_dimensions(member + "=x", {"/g", "h"})) << member;
  }
}

TEST(OutputTail, KeepsTheLastFourKibibytes) {
  output_tail tail;
  EXPECT_EQ(tail.text(), "");
  tail.append("first line\n");
  tail.append("second line\n");
  EXPECT_EQ(tail.text(), "first line\nsecond line\n");
  for (int i = 0; i < 1000; ++i) tail.append(std::string(100, static_cast<char>('a' + i % 26)));
  tail.append("the end\n");
  const auto text = tail.text();
  ASSERT_EQ(text.size(), output_tail_bytes);
  EXPECT_TRUE(text.ends_with(std::string(100, 'l') + "the end\n"));
}

TEST(OutputTail, ACutNeverSplitsAUtf8Character) {
  output_tail tail;
  // "é" is two bytes; with one byte after them, the last 4096 bytes start inside one.
  std::string text = "x";
  for (int i = 0; i < 3000; ++i) text += "é";
  text += "y";
  tail.append(text);
  const auto kept = tail.text();
  EXPECT_EQ(kept.size(), output_tail_bytes - 1);
  EXPECT_EQ(kept.substr(0, 2), "é");
  EXPECT_TRUE(kept.ends_with("éy"));
  // One large write is cut the same way as many small ones.
  output_tail pieces;
  for (std::size_t i = 0; i < text.size(); i += 7)
    pieces.append(std::string_view(text).substr(i, 7));
  EXPECT_EQ(pieces.text(), kept);
}

TEST(OwnLogLine, IsInfoOnSuccessErrorOnFailureAndTimeoutWarnWhenSkipped) {
  auto r = failed_backup();
  EXPECT_EQ(log_level(r), logging::level::error);
  EXPECT_EQ(log_message(r), "job backup failed: exit code 3");
  r.exit_code.reset();
  r.signal = SIGSEGV;
  EXPECT_EQ(log_message(r), "job backup failed: killed by SIGSEGV");
  r.result = outcome::timeout;
  EXPECT_EQ(log_level(r), logging::level::error);
  EXPECT_EQ(log_message(r), "job backup timed out after 1s234ms");
  r.result = outcome::success;
  EXPECT_EQ(log_level(r), logging::level::info);
  EXPECT_EQ(log_message(r), "job backup succeeded in 1s234ms");
  r.result = outcome::skipped;
  r.reason = "the previous run is still going";
  EXPECT_EQ(log_level(r), logging::level::warn);
  EXPECT_EQ(log_message(r), "job backup skipped: the previous run is still going");
}

TEST(OwnLogLine, FieldsNameTheRunAndItsExitStatus) {
  const auto fields = log_fields(failed_backup());
  std::vector<std::string> keys;
  for (const auto& f : fields) keys.push_back(f.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"job", "run_id", "outcome", "duration_ms", "exit_code",
                                            "output_lines", "output_bytes"}));
  EXPECT_EQ(fields[4].number, 3);
  EXPECT_EQ(fields[1].text, "0123456789abcdef-backup-7");
}

TEST(SignalName, NamesTheCommonSignalsAndNumbersTheRest) {
  EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(64), "SIG64");
}

}  // namespace
}  // namespace cwp::jobs
