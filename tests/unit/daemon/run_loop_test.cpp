#include "daemon/run_loop.h"

#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "daemon/startup.h"
#include "support/scripted_platform.h"
#include "support/temp_dir.h"

namespace cwp::daemon {
namespace {

using namespace std::chrono_literals;

// Delivers scripted signals at given fake-clock times; otherwise lets the time pass.
class fake_waiter final : public waiter {
 public:
  explicit fake_waiter(testing::fake_clock& c) : clock_(c) {}
  void at(core::sys_time t, int sig) { script_.emplace(t, sig); }
  // Runs `fn` when the fake time reaches `t` (a clock jump, an outage ending...).
  void on(core::sys_time t, std::function<void()> fn) { actions_.emplace(t, std::move(fn)); }

  std::optional<int> wait_for(std::chrono::milliseconds timeout) override {
    ++waits;
    const auto until = clock_.now() + timeout;
    if (!actions_.empty() && actions_.begin()->first <= until) {
      clock_.advance(actions_.begin()->first - clock_.now());
      auto fn = std::move(actions_.begin()->second);
      actions_.erase(actions_.begin());
      fn();
      return std::nullopt;
    }
    if (!script_.empty() && script_.begin()->first <= until) {
      clock_.advance(script_.begin()->first - clock_.now());
      const int sig = script_.begin()->second;
      script_.erase(script_.begin());
      return sig;
    }
    clock_.advance(timeout);
    return std::nullopt;
  }
  int waits{0};

 private:
  testing::fake_clock& clock_;
  std::multimap<core::sys_time, int> script_;
  std::multimap<core::sys_time, std::function<void()>> actions_;
};

// Runs the job on the caller's thread; can pretend to be stuck.
class inline_runner final : public runner {
 public:
  explicit inline_runner(std::function<void()> job) : job_(std::move(job)) {}
  bool trigger() override {
    if (stuck) return false;
    ++runs;
    job_();
    return true;
  }
  bool busy() const override { return stuck; }
  bool wait_idle(std::chrono::milliseconds /*timeout*/) override { return !stuck; }
  bool stuck{false};
  int runs{0};

 private:
  std::function<void()> job_;
};

constexpr const char* identity = R"(<GetCallerIdentityResponse><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/p</Arn><Account>123456789012</Account>
</GetCallerIdentityResult></GetCallerIdentityResponse>)";

class RunLoop : public ::testing::Test, protected testing::scripted_platform {
 protected:
  // 2026-01-01T00:00:00.400Z: not on a second boundary, like a real start.
  RunLoop()
      : scripted_platform({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "secret"}},
                          core::sys_time{std::chrono::seconds{1'767'225'600}} + 400ms),
        published(graph(*this, log)) {
    transport.otherwise([this](const http::request& r) -> core::result<http::response> {
      if (outage) return core::fail(core::errc::network, "connection refused");
      if (r.body.starts_with("Action=GetCallerIdentity")) return http::response{200, {}, identity};
      return http::response{200, {}, "{}"};
    });
  }

  // The heartbeats' graph, as `run` builds it: one attempt per call, no journal.
  static publishing& graph(scripted_platform& world, const logging::logger& log) {
    aws::retry_settings once;
    once.max_attempts = 1;
    world.assemble_aws(local_aws(once));
    return world.assemble_publishing(
        {.target = {.log_group = "/g"}, .limits = {}, .journal_dir = {}}, log);
  }

  // validated false: the start-up check is made here, as `run` makes it before its loop.
  exit_code run(bool validated = true) {
    if (!validated) {
      validated = validate_credentials(clients().sts, log, heartbeat_service::unvalidated_note) ==
                  validation::valid;
    }
    service = std::make_unique<heartbeat_service>(
        heartbeat_service::parts{
            "/g",
            {*cloudwatch::stream_template::parse("heartbeat-{date}"), {"h", ""}},
            &clients().sts,
            &published.shipper,
            &log,
            &log,
            &clock,
            {"h", "test", "@every 1s", "boot", clock.now(), emf},
            health},
        validated);
    inline_runner local([this] {
      ++attempts;
      service->deliver();
    });
    runner_ = &local;
    schedule::scheduler sched(cadence, schedule::splay{}, 1);
    return run_loop({.scheduler = heartbeats ? &sched : nullptr,
                     .clock = &clock,
                     .signals = &signals,
                     .deliveries = &local,
                     .heartbeats = service.get(),
                     .log = &log,
                     .on_reload = [this] { ++reloads; },
                     .children = &children});
  }

  // Timestamps (ms) of every event that reached PutLogEvents successfully, in send order.
  std::vector<std::int64_t> delivered() const {
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < transport.requests().size(); ++i) {
      const auto& r = transport.requests()[i];
      if (r.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
      if (i >= outcomes.size() || !outcomes[i]) continue;
      const auto body = nlohmann::json::parse(r.body);
      for (const auto& e : body["logEvents"]) out.push_back(e["timestamp"].get<std::int64_t>());
    }
    return out;
  }

  static std::int64_t ms(core::sys_time t) { return core::to_epoch_millis(t); }

  logging::logger log{sink, clock, "cloudwatch-publisher"};
  publishing& published;
  schedule::cron_expression cadence = *schedule::cron_expression::parse("@every 1s");
  std::optional<cloudwatch::emf_settings> emf;
  std::unique_ptr<heartbeat_service> service;
  fake_waiter signals{clock};
  runner* runner_{nullptr};
  bool outage{false};
  std::vector<bool> outcomes;  // per request: did it succeed (filled by the fallback wrapper)
  int reloads{0};
  health_recorder* health{nullptr};
  bool heartbeats{true};  // false: CWP_SCHEDULE=off
  int attempts{0};        // delivery runs started

  void track_outcomes() {
    transport.otherwise([this](const http::request& r) -> core::result<http::response> {
      outcomes.push_back(!outage);
      if (outage) return core::fail(core::errc::network, "connection refused");
      if (r.body.starts_with("Action=GetCallerIdentity")) return http::response{200, {}, identity};
      return http::response{200, {}, "{}"};
    });
  }
};

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

TEST_F(RunLoop, WaitsAreBoundedSoAClockJumpIsNoticedWithinASecond) {
  track_outcomes();
  cadence = *schedule::cron_expression::parse("@hourly");
  signals.at(clock.now() + 30s, SIGTERM);
  EXPECT_EQ(run(), exit_code::ok);
  EXPECT_GE(signals.waits, 30);
  EXPECT_EQ(delivered().size(), 1U);
}

}  // namespace
}  // namespace cwp::daemon
