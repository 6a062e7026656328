#include "monitoring/alarm_window.h"

#include <gtest/gtest.h>

namespace cwp::monitoring {
namespace {

using namespace std::chrono_literals;

std::chrono::seconds gap(std::string_view schedule) {
  auto s = schedule::cron_expression::parse(schedule);
  EXPECT_TRUE(s) << schedule;
  return s ? longest_gap(*s) : 0s;
}

TEST(LongestGap, IsTheIntervalForEvery) {
  EXPECT_EQ(gap("@every 30s"), 30s);
  EXPECT_EQ(gap("@EVERY 7h"), 7h);  // does not divide a day: the ticks still keep the interval
  EXPECT_EQ(gap("@every 24h"), 24h);
}

TEST(LongestGap, RegularCronSchedules) {
  EXPECT_EQ(gap("*/1 * * * *"), 1min);
  EXPECT_EQ(gap("*/15 * * * *"), 15min);
  EXPECT_EQ(gap("*/7 * * * *"), 7min);  // :56 to the next hour's :00 is only 4 minutes
  EXPECT_EQ(gap("@hourly"), 1h);
  EXPECT_EQ(gap("@daily"), 24h);
  EXPECT_EQ(gap("@weekly"), 168h);
}

TEST(LongestGap, TakesTheLongestOfIrregularSchedules) {
  // Twice in the morning: the gap is the night.
  EXPECT_EQ(gap("0,30 9 * * *"), 23h + 30min);
  // Office hours: Friday 17:00 to Monday 09:00.
  EXPECT_EQ(gap("0 9-17 * * MON-FRI"), 64h);
  // The 1st and the 15th: 17 days from the 15th of a 31-day month to the next 1st.
  EXPECT_EQ(gap("0 0 1,15 * *"), 17 * 24h);
  // Weekly by day of month: exactly 7 days, from February 22nd to March 1st (non-leap years).
  EXPECT_EQ(gap("0 0 1,8,15,22,29 * *"), 7 * 24h);
  // Either rule: Fridays or the 13th, so never more than a week.
  EXPECT_EQ(gap("0 0 13 * FRI"), 7 * 24h);
  EXPECT_EQ(gap("@monthly"), 31 * 24h);
  EXPECT_EQ(gap("@yearly"), 366 * 24h);
  EXPECT_GT(gap("0 0 29 2 *"), 4 * 365 * 24h);
}

TEST(AlarmWindow, UsesOneMinutePeriodsWhileTheWindowFitsInADay) {
  auto w = window_covering(6min);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->period, 60s);
  EXPECT_EQ(w->evaluation_periods, 6);
  w = window_covering(6min + 1s);  // rounded up to whole periods: never shorter than asked
  EXPECT_EQ(w->evaluation_periods, 7);
  w = window_covering(24h);
  EXPECT_EQ(w->period, 60s);
  EXPECT_EQ(w->evaluation_periods, 1440);
  w = window_covering(0s);
  EXPECT_EQ(w->total(), 60s);
}

TEST(AlarmWindow, UsesOneHourPeriodsBeyondADayBecauseShorterOnesStopAtADay) {
  auto w = window_covering(24h + 1s);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->period, 3600s);
  EXPECT_EQ(w->evaluation_periods, 25);
  w = window_covering(168h);
  EXPECT_EQ(w->period, 3600s);
  EXPECT_EQ(w->evaluation_periods, 168);
}

TEST(AlarmWindow, RespectsCloudWatchLimitsForEveryQuietTime) {
  for (auto quiet = 0s; quiet <= 170h; quiet += 97s) {
    const auto w = window_covering(quiet);
    if (quiet > 168h) {
      EXPECT_FALSE(w) << quiet.count();
      continue;
    }
    ASSERT_TRUE(w) << quiet.count();
    EXPECT_GE(w->total(), quiet);
    EXPECT_EQ(w->period % 60s, 0s);
    EXPECT_LE(w->period, max_alarm_period);
    EXPECT_LE(w->total(), max_alarm_window);
    if (w->period < short_period_limit) {
      EXPECT_LE(w->total(), max_short_period_window);
    }
    if (quiet >= min_alarm_period) {
      EXPECT_LT(w->total() - quiet, w->period) << "more than one period longer than needed";
    }
  }
}

TEST(AlarmWindow, RefusesMoreThanSevenDaysAndSaysWhy) {
  const auto w = window_covering(168h + 1s);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, core::errc::invalid_argument);
  EXPECT_NE(w.error().message.find("at most 7 days"), std::string::npos) << w.error().message;
}

}  // namespace
}  // namespace cwp::monitoring
