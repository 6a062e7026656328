#include "daemon/health.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/time_format.h"
#include "support/capturing_sink.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace cwp::daemon {
namespace {

using namespace std::chrono_literals;

core::sys_time at(const char* iso) { return *core::parse_iso8601(iso); }

health_state minutely(core::sys_time started) {
  health_state s;
  s.pid = 42;
  s.schedule = "*/1 * * * *";
  s.started = started;
  return s;
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(HealthRule, NextDeliveryIsDueByTheSecondTickAfterTheLastOnePlusSlack) {
  auto s = minutely(at("2026-01-01T11:00:00Z"));
  s.last_success = at("2026-01-01T12:00:10Z");
  const auto schedule = *schedule::cron_expression::parse(s.schedule);
  // Ticks at 12:01:00 and 12:02:00; one missed tick is tolerated, the second is not.
  EXPECT_EQ(healthy_until(s, schedule), at("2026-01-01T12:02:00Z") + health_slack);
  EXPECT_EQ(health_slack, 30s);
}

TEST(HealthRule, HealthyUpToTheLimitAndUnhealthyOneSecondAfter) {
  testing::fake_clock clock(at("2026-01-01T12:00:10Z"));
  auto s = minutely(at("2026-01-01T11:00:00Z"));
  s.last_success = clock.now();
  s.last_attempt = clock.now();

  clock.advance(140s);  // 12:02:30, the limit itself
  const auto fresh = judge_health(s, clock.now());
  EXPECT_TRUE(fresh.healthy) << fresh.reason;
  EXPECT_EQ(fresh.reason, "last heartbeat delivered 140 s ago (limit 140 s)");

  clock.advance(1s);
  s.undelivered = 3;
  const auto stale = judge_health(s, clock.now());
  EXPECT_FALSE(stale.healthy);
  EXPECT_EQ(stale.reason,
            "last heartbeat delivered 141 s ago, expected within 140 s (schedule */1 * * * *; "
            "3 undelivered, last attempt 141 s ago)");
}

TEST(HealthRule, BeforeTheFirstDeliveryTheStartCounts) {
  auto s = minutely(at("2026-01-01T12:00:00.400Z"));
  // Ticks 12:01:00, 12:02:00: a daemon that never delivers is unhealthy from 12:02:30 on.
  EXPECT_TRUE(judge_health(s, at("2026-01-01T12:00:05Z")).healthy);
  EXPECT_EQ(judge_health(s, at("2026-01-01T12:00:05Z")).reason,
            "started 4 s ago, no heartbeat delivered yet (limit 149 s)");
  const auto never = judge_health(s, at("2026-01-01T12:02:31Z"));
  EXPECT_FALSE(never.healthy);
  EXPECT_NE(never.reason.find("no heartbeat delivered since the daemon started 150 s ago"),
            std::string::npos)
      << never.reason;
}

TEST(HealthRule, FastScheduleAndSplayScaleTheLimit) {
  health_state s;
  s.schedule = "@every 2s";
  s.splay_max = 1500ms;
  s.started = at("2026-01-01T12:00:00Z");
  s.last_success = at("2026-01-01T12:00:00.100Z");
  const auto schedule = *schedule::cron_expression::parse(s.schedule);
  EXPECT_EQ(healthy_until(s, schedule), at("2026-01-01T12:00:04Z") + 1500ms + health_slack);
}

TEST(HealthRule, IrregularCronUsesTheRealNextTicks) {
  // Weekdays at 09:00: a delivery on Friday is fine until Tuesday 09:00 plus slack.
  auto s = minutely(at("2026-01-02T08:00:00Z"));
  s.schedule = "0 9 * * MON-FRI";
  s.last_success = at("2026-01-02T09:00:01Z");                       // Friday
  EXPECT_TRUE(judge_health(s, at("2026-01-06T09:00:29Z")).healthy);  // Tuesday
  EXPECT_FALSE(judge_health(s, at("2026-01-06T09:00:31Z")).healthy);
}

TEST(HealthRule, ClockBehindTheFileIsHealthy) {
  auto s = minutely(at("2026-01-01T12:00:00Z"));
  s.last_success = at("2026-01-01T12:00:00Z");
  EXPECT_TRUE(judge_health(s, at("2026-01-01T11:59:00Z")).healthy);
}

TEST(HealthState, RoundTripsThroughJson) {
  auto s = minutely(at("2026-01-01T12:00:00.250Z"));
  s.splay_max = 2500ms;
  s.last_attempt = at("2026-01-01T12:01:00.500Z");
  s.last_success = at("2026-01-01T12:00:00.400Z");
  s.undelivered = 7;
  const auto text = to_json(s);
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["last_success"], "2026-01-01T12:00:00.400Z");
  EXPECT_EQ(j["pid"], 42);
  auto back = parse_health_state(text);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->schedule, s.schedule);
  EXPECT_EQ(back->splay_max, s.splay_max);
  EXPECT_EQ(back->started, s.started);
  EXPECT_EQ(back->last_attempt, s.last_attempt);
  EXPECT_EQ(back->last_success, s.last_success);
  EXPECT_EQ(back->undelivered, 7U);
}

TEST(HealthState, NoDeliveryYetIsNull) {
  const auto text = to_json(minutely(at("2026-01-01T12:00:00Z")));
  EXPECT_TRUE(nlohmann::json::parse(text)["last_success"].is_null());
  EXPECT_FALSE(parse_health_state(text)->last_success);
}

TEST(HealthState, RejectsWhatIsNotAState) {
  EXPECT_FALSE(parse_health_state(""));
  EXPECT_FALSE(parse_health_state("{\"pid\": 1, \"sched"));
  EXPECT_FALSE(parse_health_state("[]"));
  EXPECT_FALSE(parse_health_state(R"({"schedule":"@hourly"})"));  // no start time
  EXPECT_FALSE(parse_health_state(R"({"schedule":"@hourly","started":"yesterday"})"));
}

class HealthFile : public ::testing::Test {
 protected:
  testing::temp_dir dir;
  std::string path = dir.file("health.json");
  testing::fake_clock clock{at("2026-01-01T12:00:00.400Z")};
  testing::capturing_sink sink;
};

TEST_F(HealthFile, RecorderWritesTheStartThenEveryAttempt) {
  const logging::logger log(sink, clock, "cloudwatch-publisher");
  health_recorder recorder(path, minutely(clock.now()), log);
  recorder.start();
  auto s = parse_health_state(read(path));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->last_attempt);

  clock.advance(1s);
  recorder.attempt(clock.now(), attempt_result::delivered, 0);
  const auto delivered_at = clock.now();
  clock.advance(60s);
  recorder.attempt(clock.now(), attempt_result::failed, 2);
  s = parse_health_state(read(path));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->last_success, delivered_at);
  EXPECT_EQ(s->last_attempt, clock.now());
  EXPECT_EQ(s->undelivered, 2U);
  // Only the final file: the temporary was renamed over it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
  EXPECT_EQ(sink.lines().size(), 0U);
}

TEST_F(HealthFile, AnUnwritablePathIsOneWarningNotAFailure) {
  const logging::logger log(sink, clock, "cloudwatch-publisher");
  health_recorder recorder(dir.file("missing/dir/health.json"), minutely(clock.now()), log);
  recorder.start();
  recorder.attempt(clock.now(), attempt_result::delivered, 0);
  recorder.attempt(clock.now(), attempt_result::delivered, 0);
  ASSERT_EQ(sink.lines().size(), 1U);
  EXPECT_EQ(sink.lines()[0].severity, logging::level::warn);
  EXPECT_TRUE(sink.contains("Could not write the health file"));
}

// Someone who can write to the health file's directory plants symlinks at the file's path and
// at the temporary name a writer could predict (path.tmp.<pid>), pointing at files elsewhere:
// the write must replace the link at the path and never write through any link.
TEST_F(HealthFile, PlantedSymlinksAreNeverFollowed) {
  namespace fs = std::filesystem;
  const testing::temp_dir elsewhere;
  const std::string victim = elsewhere.write("victim", "do not touch\n");
  const std::string temp_victim = elsewhere.write("temp-victim", "do not touch\n");
  fs::create_symlink(victim, path);
  fs::create_symlink(temp_victim, path + ".tmp." + std::to_string(::getpid()));
  fs::create_symlink(temp_victim, path + ".tmp");

  ASSERT_TRUE(write_file_atomically(path, "{\"fresh\": true}\n"));
  EXPECT_EQ(read(victim), "do not touch\n");
  EXPECT_EQ(read(temp_victim), "do not touch\n");
  EXPECT_FALSE(fs::is_symlink(path));
  EXPECT_TRUE(fs::is_regular_file(path));
  EXPECT_EQ(read(path), "{\"fresh\": true}\n");
}

// CWP_SCHEDULE=off: no tick to expect. Healthy while the loop's delivery attempts (one at least
// every 30 s) keep coming and delivery has not been failing for more than 150 s.

health_state without_heartbeats(core::sys_time started) {
  health_state s = minutely(started);
  s.schedule = "off";
  return s;
}

TEST(HealthRuleWithoutHeartbeats, HealthyWhileDeliveryAttemptsKeepComing) {
  auto s = without_heartbeats(at("2026-01-01T12:00:00Z"));
  const auto started = judge_health(s, at("2026-01-01T12:00:50Z"));
  EXPECT_TRUE(started.healthy) << started.reason;
  EXPECT_EQ(started.reason,
            "no heartbeats (CWP_SCHEDULE=off); started 50 s ago, no delivery attempt yet (limit "
            "90 s)");
  s.last_attempt = at("2026-01-01T12:00:30Z");  // nothing to deliver: no last_success needed
  const auto alive = judge_health(s, at("2026-01-01T12:02:00Z"));
  EXPECT_TRUE(alive.healthy) << alive.reason;
  EXPECT_EQ(alive.reason,
            "no heartbeats (CWP_SCHEDULE=off); last delivery attempt 90 s ago (limit 90 s)");
}

TEST(HealthRuleWithoutHeartbeats, NoDeliveryAttemptForThreeKeepalivesIsUnhealthy) {
  auto s = without_heartbeats(at("2026-01-01T12:00:00Z"));
  s.last_attempt = at("2026-01-01T12:00:30Z");
  const auto hung = judge_health(s, at("2026-01-01T12:02:01Z"));
  EXPECT_FALSE(hung.healthy);
  EXPECT_EQ(hung.reason,
            "last delivery attempt 91 s ago, expected every 30 s without heartbeats (limit 90 s): "
            "the daemon is hung or not running");
  EXPECT_FALSE(
      judge_health(without_heartbeats(at("2026-01-01T12:00:00Z")), at("2026-01-01T12:01:31Z"))
          .healthy);
}

TEST(HealthRuleWithoutHeartbeats, DeliveryFailingForMoreThan150sIsUnhealthy) {
  auto s = without_heartbeats(at("2026-01-01T12:00:00Z"));
  s.failing_since = at("2026-01-01T12:01:00Z");
  s.last_attempt = at("2026-01-01T12:03:20Z");
  s.undelivered = 7;
  const auto failing = judge_health(s, at("2026-01-01T12:03:30Z"));
  EXPECT_TRUE(failing.healthy) << failing.reason;
  EXPECT_EQ(failing.reason,
            "no heartbeats (CWP_SCHEDULE=off); last delivery attempt 10 s ago; delivery to "
            "CloudWatch Logs failing for 150 s (limit 150 s)");
  const auto failed = judge_health(s, at("2026-01-01T12:03:31Z"));
  EXPECT_FALSE(failed.healthy);
  EXPECT_EQ(failed.reason,
            "delivery to CloudWatch Logs failing for 151 s, limit 150 s (no heartbeats "
            "(CWP_SCHEDULE=off); 7 undelivered, last delivery attempt 11 s ago)");
}

TEST_F(HealthFile, FailingSinceIsTheFirstFailedAttemptAndClearsWhenAnAttemptWorks) {
  const logging::logger log(sink, clock, "cloudwatch-publisher");
  health_recorder recorder(path, without_heartbeats(clock.now()), log);
  recorder.start();
  recorder.attempt(clock.now(), attempt_result::failed, 1);
  const auto first_failure = clock.now();
  clock.advance(30s);
  recorder.attempt(clock.now(), attempt_result::failed, 2);
  auto s = parse_health_state(read(path));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->schedule, "off");
  EXPECT_EQ(s->failing_since, first_failure);
  recorder.attempt(clock.now(), attempt_result::nothing_new, 0);
  s = parse_health_state(read(path));
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->failing_since);
  EXPECT_FALSE(s->last_success);  // nothing was delivered
}

}  // namespace
}  // namespace cwp::daemon
