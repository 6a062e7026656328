// Tomorrow's stream is created ahead of time, once a day, at a random moment of the day: a fleet's
// midnight roll-over costs no CreateLogStream burst, and a fleet starting at once costs none.
#include "cloudwatch/stream_precreator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/time_format.h"
#include "support/capturing_sink.h"
#include "support/scripted_logs.h"

namespace cwp::cloudwatch {
namespace {

using namespace std::chrono_literals;

core::sys_time at(const char* iso) { return *core::parse_iso8601(iso); }

stream_names daily() { return {*stream_template::parse("heartbeat-{date}"), {"h", ""}}; }

// Steps a plan through [from, until) every `step` (a delivery run each time) and returns the
// times it asked to create a stream, with the name.
std::vector<std::pair<core::sys_time, std::string>> run(precreate_plan& plan, core::sys_time from,
                                                        core::sys_time until,
                                                        std::chrono::seconds step = 60s) {
  std::vector<std::pair<core::sys_time, std::string>> asked;
  for (auto t = from; t < until; t += step) {
    if (auto name = plan.due(t)) {
      asked.emplace_back(t, *name);
      plan.done();
    }
  }
  return asked;
}

TEST(PrecreatePlan, AsksOnceADayForTomorrowsStreamBefore23Utc) {
  precreate_plan plan(daily(), 42);
  const auto asked = run(plan, at("2026-03-01T00:00:00Z"), at("2026-03-04T00:00:00Z"));
  ASSERT_EQ(asked.size(), 3U);
  const char* names[] = {"heartbeat-2026-03-02", "heartbeat-2026-03-03", "heartbeat-2026-03-04"};
  for (std::size_t i = 0; i < asked.size(); ++i) {
    EXPECT_EQ(asked[i].second, names[i]);
    const auto day = std::chrono::floor<std::chrono::days>(asked[i].first);
    EXPECT_LT(asked[i].first, day + 23h + 1min);  // one delivery after the moment at most
  }
}

TEST(PrecreatePlan, OnTheFirstDayTheMomentIsDrawnFromNowOnNotAtStart) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    precreate_plan plan(daily(), seed);
    const auto start = at("2026-03-01T12:00:00Z");
    EXPECT_FALSE(plan.due(start) && *plan.moment() == start);
    ASSERT_TRUE(plan.moment());
    EXPECT_GE(*plan.moment(), start);
    EXPECT_LT(*plan.moment(), at("2026-03-01T23:00:00Z"));
  }
}

TEST(PrecreatePlan, AStartAfter23CreatesNothingThatDayButTheNextDay) {
  precreate_plan plan(daily(), 7);
  EXPECT_FALSE(plan.due(at("2026-03-01T23:30:00Z")));
  EXPECT_FALSE(plan.moment());
  const auto asked = run(plan, at("2026-03-01T23:30:00Z"), at("2026-03-03T00:00:00Z"));
  ASSERT_EQ(asked.size(), 1U);
  EXPECT_EQ(asked[0].second, "heartbeat-2026-03-03");
}

TEST(PrecreatePlan, ATemplateWithoutADateHasNothingToCreateAhead) {
  precreate_plan plan({*stream_template::parse("heartbeat-{hostname}"), {"h", ""}}, 1);
  EXPECT_TRUE(run(plan, at("2026-03-01T00:00:00Z"), at("2026-03-03T00:00:00Z")).empty());
}

TEST(PrecreatePlan, UntilDoneItAsksAgainAtEveryDelivery) {
  precreate_plan plan(daily(), 3);
  const auto day = at("2026-03-01T00:00:00Z");
  ASSERT_FALSE(plan.due(day));
  const auto moment = *plan.moment();
  EXPECT_TRUE(plan.due(moment));
  EXPECT_TRUE(plan.due(moment + 1min));  // the first attempt failed: not done
  plan.done();
  EXPECT_FALSE(plan.due(moment + 2min));
}

// The fleet's view of the decision code itself: 10,000 hosts started at the same second on the
// default template, each delivering every minute, until the second midnight.
TEST(PrecreatePlan, TenThousandHostsCreateAtMostOneStreamPerSecondInEveryMinuteAndNoneAtStart) {
  std::map<std::int64_t, int> per_minute;
  const auto start = at("2026-03-01T06:00:00Z");
  int at_start = 0;
  for (std::uint64_t host = 0; host < 10'000; ++host) {
    precreate_plan plan(daily(), 0x9E3779B97F4A7C15ULL * (host + 1));
    for (auto t = start; t < at("2026-03-03T00:00:00Z"); t += 1min) {  // one delivery a minute
      if (plan.due(t)) {
        if (t == start) ++at_start;
        ++per_minute[std::chrono::floor<std::chrono::minutes>(t).time_since_epoch().count()];
        plan.done();
      }
    }
  }
  EXPECT_EQ(at_start, 0);
  int total = 0;
  int peak = 0;
  for (const auto& [minute, n] : per_minute) {
    total += n;
    peak = std::max(peak, n);
  }
  EXPECT_EQ(total, 20'000);  // one per host per day
  EXPECT_LE(peak, 60);       // ≤ 1/s in every minute (mean ≈ 7 per minute)
  const auto midnight = std::chrono::floor<std::chrono::minutes>(at("2026-03-02T00:00:00Z"));
  EXPECT_EQ(per_minute.count(midnight.time_since_epoch().count()), 0U);
}

class Precreator : public ::testing::Test, protected testing::scripted_logs {
 protected:
  testing::capturing_sink sink;
  logging::logger log{sink, clock, "cloudwatch-publisher"};
  publisher pub{logs, log, {"/g", std::nullopt}};
};

TEST_F(Precreator, CreatesTomorrowsStreamOnceAndWarnsOnceADayWhenItCannot) {
  stream_precreator ahead(pub, log, daily(), 5);
  const auto day = at("2026-03-01T00:00:00Z");
  precreate_plan same(daily(), 5);  // the same seed draws the same moment
  ASSERT_FALSE(same.due(day));
  const auto moment = *same.moment();

  ahead.after_delivery(day);
  EXPECT_TRUE(transport.requests().empty());
  transport
      .respond(400, R"({"message":"not authorized"})",
               {{"x-amzn-ErrorType", "AccessDeniedException"}})
      .respond(400, R"({"message":"not authorized"})",
               {{"x-amzn-ErrorType", "AccessDeniedException"}})
      .respond(200, "");
  ahead.after_delivery(moment);
  ahead.after_delivery(moment + 1min);
  EXPECT_EQ(sink.count(logging::level::warn), 1U);
  EXPECT_TRUE(sink.contains("Could not create tomorrow's log stream ahead of time"));
  ahead.after_delivery(moment + 2min);
  ahead.after_delivery(moment + 3min);  // done: no call
  ASSERT_EQ(transport.requests().size(), 3U);
  EXPECT_EQ(transport.requests().back().body,
            R"({"logGroupName":"/g","logStreamName":"heartbeat-2026-03-02"})");
  EXPECT_TRUE(sink.contains("Created log stream"));
}

}  // namespace
}  // namespace cwp::cloudwatch
