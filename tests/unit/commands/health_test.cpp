// `health`: judges the state file `run` writes.
#include "commands/health.h"

#include <gtest/gtest.h>

#include "core/time_format.h"
#include "daemon/health.h"
#include "support/capturing_sink.h"
#include "support/fake_clock.h"
#include "support/temp_dir.h"

namespace cwp::commands {
namespace {

using namespace std::chrono_literals;
using daemon::exit_code;

core::sys_time at(const char* iso) { return *core::parse_iso8601(iso); }

daemon::health_state minutely(core::sys_time started) {
  daemon::health_state s;
  s.pid = 42;
  s.schedule = "*/1 * * * *";
  s.started = started;
  return s;
}

class HealthFile : public ::testing::Test {
 protected:
  exit_code check() {
    config::settings s;
    s.health_file = path;
    const logging::logger log(sink, clock, "cloudwatch-publisher");
    return run_health(s, clock, log);
  }
  std::string last_message() const { return sink.lines().back().message; }

  testing::temp_dir dir;
  std::string path = dir.file("health.json");
  testing::fake_clock clock{at("2026-01-01T12:00:00.400Z")};
  testing::capturing_sink sink;
};

TEST_F(HealthFile, HealthIsOkWhileFreshAndFailsOnceStale) {
  const logging::logger log(sink, clock, "cloudwatch-publisher");
  daemon::health_recorder recorder(path, minutely(clock.now()), log);
  recorder.start();
  recorder.attempt(clock.now(), daemon::attempt_result::delivered, 0);

  clock.advance(30s);
  EXPECT_EQ(check(), exit_code::ok);
  EXPECT_EQ(sink.lines().back().severity, logging::level::info);
  EXPECT_EQ(last_message(), "Healthy: last heartbeat delivered 30 s ago (limit 149 s)");

  clock.advance(120s);
  EXPECT_EQ(check(), exit_code::failed);
  EXPECT_EQ(sink.lines().back().severity, logging::level::error);
  EXPECT_TRUE(last_message().starts_with("Unhealthy: last heartbeat delivered 150 s ago"))
      << last_message();
}

TEST_F(HealthFile, MissingFileSaysTheDaemonIsNotWritingIt) {
  EXPECT_EQ(check(), exit_code::failed);
  EXPECT_EQ(last_message(), "Unhealthy: no health file at " + path +
                                ": the daemon is not running, has not started yet, or writes "
                                "elsewhere (CWP_HEALTH_FILE)");
}

TEST_F(HealthFile, CorruptFileIsUnhealthyAndSaysSo) {
  dir.write("health.json", "{\"pid\": 1, \"sch");
  EXPECT_EQ(check(), exit_code::failed);
  EXPECT_TRUE(last_message().starts_with("Unhealthy: the health file " + path + " is not valid"))
      << last_message();
}

}  // namespace
}  // namespace cwp::commands
