#include <gtest/gtest.h>

#include <csignal>

#include "run_loop_fixture.h"

namespace cwp::daemon::loop_test {
namespace {

TEST_F(RunLoop, FirstHeartbeatAtOnceThenOnePerTickStampedWithTheScheduledTime) {
  track_outcomes();
  const auto start = clock.now();
  signals.at(start + 3s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  const auto whole = std::chrono::floor<std::chrono::seconds>(start);
  EXPECT_EQ(delivered(),
            (std::vector<std::int64_t>{ms(start), ms(whole + 1s), ms(whole + 2s), ms(whole + 3s)}));
  EXPECT_TRUE(sink.contains("Received SIGTERM, shutting down"));
}

TEST_F(RunLoop, WithEmfEveryHeartbeatBatchIsSentAsEmf) {
  emf = cloudwatch::emf_settings{"CloudWatchPublisher", {{"Host", "h"}}};
  signals.at(clock.now() + 3s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  std::size_t puts = 0;
  for (const auto& r : transport.requests()) {
    if (r.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
    ++puts;
    EXPECT_EQ(r.find_header("x-amzn-logs-format"), "json/emf");
    const auto body = nlohmann::json::parse(r.body);
    for (const auto& e : body["logEvents"]) {
      const auto doc = nlohmann::json::parse(e["message"].get<std::string>());
      EXPECT_EQ(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"], "CloudWatchPublisher");
      EXPECT_EQ(doc["Host"], "h");
    }
  }
  EXPECT_GE(puts, 3U);
}

TEST_F(RunLoop, SteadyStateIsOnePutLogEventsPerHeartbeat) {
  track_outcomes();
  signals.at(clock.now() + 10s, SIGINT);
  EXPECT_EQ(run(), exit_code::ok);
  // The group and stream exist: PutLogEvents only, one per heartbeat, no create call at all.
  EXPECT_EQ(delivered().size(), 11U);
  EXPECT_EQ(transport.requests().size(), delivered().size());
  for (const auto& r : transport.requests()) {
    EXPECT_EQ(r.find_header("X-Amz-Target"), "Logs_20140328.PutLogEvents");
  }
}

TEST_F(RunLoop, KeepsHeartbeatsThroughAnOutageAndDeliversAllInOrderWithoutDuplicates) {
  track_outcomes();
  const auto start = clock.now();
  signals.on(start + 1500ms, [this] { outage = true; });
  signals.on(start + 6500ms, [this] { outage = false; });
  signals.at(start + 20s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  const auto got = delivered();
  EXPECT_EQ(got.size(), 21U);  // the start-up heartbeat and one per second, none lost
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(std::adjacent_find(got.begin(), got.end()), got.end());
  EXPECT_GE(sink.count(logging::level::error), 1U);
  EXPECT_TRUE(sink.contains("kept while CloudWatch Logs was unreachable"));
}

TEST_F(RunLoop, TheHealthFileKeepsTheLastSuccessThroughAnOutage) {
  testing::temp_dir dir;
  const auto start = clock.now();
  health_state initial;
  initial.schedule = "@every 1s";
  initial.started = start;
  health_recorder recorder(dir.file("health.json"), initial, log);
  recorder.start();
  health = &recorder;
  signals.on(start + 1500ms, [this] { outage = true; });
  signals.at(start + 4s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);

  const auto& state = recorder.state();
  const auto whole = std::chrono::floor<std::chrono::seconds>(start);
  EXPECT_EQ(state.last_success, whole + 1s);  // the last tick before the outage
  EXPECT_GE(*state.last_attempt, whole + 4s);
  EXPECT_GE(state.undelivered, 3U);
  // Unhealthy once the second tick after that success plus the slack has passed.
  EXPECT_TRUE(judge_health(state, whole + 3s + health_slack).healthy);
  EXPECT_FALSE(judge_health(state, whole + 3s + health_slack + 1ms).healthy);
}

TEST_F(RunLoop, AKeptHeartbeatThatCloudWatchRejectsIsNeverReportedDelivered) {
  const auto start = clock.now();
  bool reject_next = false;
  transport.otherwise([&](const http::request& r) -> core::result<http::response> {
    if (outage) return core::fail(core::errc::network, "connection refused");
    if (r.body.starts_with("Action=GetCallerIdentity")) return http::response{200, {}, identity};
    if (r.find_header("X-Amz-Target") == "Logs_20140328.PutLogEvents" && reject_next) {
      reject_next = false;  // the first batch after the outage: its oldest event is too old
      return http::response{200, {}, R"({"rejectedLogEventsInfo":{"tooOldLogEventEndIndex":0}})"};
    }
    return http::response{200, {}, "{}"};
  });
  signals.on(start + 1500ms, [&] { outage = true; });
  signals.on(start + 3500ms, [&] {
    outage = false;
    reject_next = true;
  });
  signals.at(start + 6s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_TRUE(sink.contains("CloudWatch Logs rejected 1 of"));
  // Two heartbeats were kept through the outage and one of them was rejected: no line may say
  // both were delivered.
  EXPECT_FALSE(sink.contains("Delivered 2 heartbeats kept while CloudWatch Logs was unreachable"));
}

TEST_F(RunLoop, ABusyDeliveryIsNotStartedTwiceAndTheSkipIsLoggedOnce) {
  track_outcomes();
  signals.on(clock.now() + 100ms, [this] { static_cast<inline_runner*>(runner_)->stuck = true; });
  signals.on(clock.now() + 5500ms, [this] { static_cast<inline_runner*>(runner_)->stuck = false; });
  signals.at(clock.now() + 8s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  std::size_t warnings = 0;
  for (const auto& l : sink.lines())
    warnings += l.message.starts_with("The previous delivery") ? 1U : 0U;
  EXPECT_EQ(warnings, 1U);
  // Nothing recorded while busy was lost.
  EXPECT_EQ(delivered().size(), 9U);
}

TEST_F(RunLoop, AForwardClockJumpIsOneWarningNotABurst) {
  track_outcomes();
  signals.on(clock.now() + 2500ms, [this] { clock.jump_wall(1h); });
  signals.at(clock.now() + 5s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_TRUE(sink.contains("jumped forward"));
  EXPECT_LE(delivered().size(), 7U);
}

TEST_F(RunLoop, StartsWhileAwsIsUnreachableAndValidatesWhenItAnswers) {
  track_outcomes();
  outage = true;
  signals.on(clock.now() + 3500ms, [this] { outage = false; });
  signals.at(clock.now() + 30s, SIGTERM);
  EXPECT_EQ(run(/*validated=*/false), exit_code::ok);
  EXPECT_TRUE(sink.contains("Could not reach AWS STS"));
  EXPECT_TRUE(sink.contains("AWS credentials validated successfully"));
  EXPECT_EQ(delivered().size(), 31U);
}

TEST_F(RunLoop, CredentialsRejectedLaterEndTheDaemonWithCodeThree) {
  outage = true;
  transport.otherwise([this](const http::request&) -> core::result<http::response> {
    if (outage) return core::fail(core::errc::network, "refused");
    return http::response{
        403, {}, "<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error></ErrorResponse>"};
  });
  signals.on(clock.now() + 2500ms, [this] { outage = false; });
  signals.at(clock.now() + 60s, SIGTERM);
  EXPECT_EQ(run(/*validated=*/false), exit_code::credentials_rejected);
  EXPECT_TRUE(sink.contains("AWS credentials validation failed"));
}

std::vector<logging::line> lines_starting(const testing::capturing_sink& sink,
                                          std::string_view start) {
  std::vector<logging::line> out;
  for (const auto& l : sink.lines()) {
    if (l.message.starts_with(start)) out.push_back(l);
  }
  return out;
}

std::string text_of(const logging::line& l, std::string_view key) {
  for (const auto& f : l.fields) {
    if (f.key == key) return f.is_number ? std::to_string(f.number) : f.text;
  }
  return "<no " + std::string(key) + ">";
}

// A private subnet with a CloudWatch Logs endpoint and no STS endpoint: every heartbeat is
// delivered, from the first one on; STS is asked again, rate-limited, with one WARN in all.

TEST_F(RunLoop, AnUnreachableStsHoldsNoHeartbeatBackAndIsOneWarning) {
  std::size_t sts_calls = 0;
  transport.otherwise([&](const http::request& r) -> core::result<http::response> {
    const bool sts = r.body.starts_with("Action=GetCallerIdentity");
    outcomes.push_back(!sts);
    if (!sts) return http::response{200, {}, "{}"};
    ++sts_calls;
    return core::fail(core::errc::network, "connection refused");
  });
  const auto start = clock.now();
  signals.at(start + 20s, SIGTERM);
  EXPECT_EQ(run(/*validated=*/false), exit_code::ok);

  const auto got = delivered();
  ASSERT_EQ(got.size(), 21U) << sink.text();  // the start-up heartbeat and one per tick
  EXPECT_EQ(got.front(), ms(start));
  const auto warnings = lines_starting(sink, "Could not reach AWS STS");
  ASSERT_EQ(warnings.size(), 1U) << sink.text();
  EXPECT_EQ(warnings[0].severity, logging::level::warn);
  EXPECT_EQ(sink.count(logging::level::error), 0U) << sink.text();
  // At start, at the first run 5 s later, and 10 s after that (the next is due 20 s later).
  EXPECT_EQ(sts_calls, 3U);
}

// While heartbeats are not delivered: an ERROR with the count waiting and since when, at once
// and then at most every 5 minutes; one INFO when delivery recovers. The failed runs
// themselves are WARN lines.

TEST_F(RunLoop, AnOutageIsAnErrorAtOnceThenEveryFiveMinutesAndOneInfoWhenItEnds) {
  track_outcomes();
  const auto start = clock.now();  // 00:00:00.400
  const auto whole = std::chrono::floor<std::chrono::seconds>(start);
  signals.on(start + 1500ms, [this] { outage = true; });
  signals.on(start + 12min, [this] { outage = false; });
  signals.at(start + 12min + 5s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);

  const std::string prefix = "Heartbeats are not reaching CloudWatch Logs: ";
  const auto errors = lines_starting(sink, prefix);
  ASSERT_EQ(errors.size(), 3U) << "the first failed run, then 5 and 10 minutes later";
  EXPECT_EQ(sink.count(logging::level::error), errors.size()) << "no other ERROR line";
  EXPECT_EQ(errors[0].timestamp, whole + 2s);  // the first tick of the outage
  EXPECT_TRUE(errors[0].message.starts_with(
      prefix + "1 events waiting since 2026-01-01T00:00:02Z; last error: "))
      << errors[0].message;
  EXPECT_EQ(errors[1].timestamp - errors[0].timestamp, 5min);
  EXPECT_EQ(errors[2].timestamp - errors[1].timestamp, 5min);
  for (const auto& e : errors) {
    EXPECT_EQ(e.severity, logging::level::error);
    EXPECT_EQ(text_of(e, "since"), "2026-01-01T00:00:02Z");
  }
  EXPECT_EQ(text_of(errors[2], "undelivered"), "601");  // 00:00:02 to 00:10:02, one a second
  EXPECT_GE(lines_starting(sink, "Failed to publish log to CloudWatch Logs").size(), 600U);

  const auto recovered = lines_starting(sink, "Delivery to CloudWatch Logs recovered after ");
  ASSERT_EQ(recovered.size(), 1U) << sink.text();
  EXPECT_EQ(recovered[0].severity, logging::level::info);
  EXPECT_GE(recovered[0].timestamp, start + 12min);
  const auto outage_s =
      std::chrono::duration_cast<std::chrono::seconds>(recovered[0].timestamp - (whole + 2s));
  EXPECT_EQ(text_of(recovered[0], "outage_s"), std::to_string(outage_s.count()));
  // What the first successful PutLogEvents after the outage carried: the whole backlog.
  std::size_t backlog = 0;
  bool failed_before = false;
  for (std::size_t i = 0; i < transport.requests().size() && i < outcomes.size(); ++i) {
    if (!outcomes[i]) failed_before = true;
    if (!outcomes[i] || !failed_before) continue;
    backlog = nlohmann::json::parse(transport.requests()[i].body)["logEvents"].size();
    break;
  }
  EXPECT_GT(backlog, 700U);
  EXPECT_EQ(text_of(recovered[0], "delivered"), std::to_string(backlog));
  EXPECT_NE(recovered[0].message.find(": " + std::to_string(backlog) + " events delivered"),
            std::string::npos)
      << recovered[0].message;
}

TEST_F(RunLoop, SighupReloadsCredentialsAndKeepsRunning) {
  track_outcomes();
  signals.at(clock.now() + 1s, SIGHUP);
  signals.at(clock.now() + 2s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_EQ(reloads, 1);
}

TEST_F(RunLoop, WithoutHeartbeatsADeliveryAttemptIsMadeEvery30sForTheHealthFile) {
  heartbeats = false;
  signals.at(clock.now() + 95s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_TRUE(transport.requests().empty());  // nothing to deliver: no AWS call at all
  EXPECT_EQ(attempts, 3);                     // at 30, 60 and 90 s
}

}  // namespace
}  // namespace cwp::daemon::loop_test
