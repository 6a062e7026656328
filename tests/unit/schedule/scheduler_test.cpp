#include "schedule/scheduler.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "core/time_format.h"
#include "support/fake_clock.h"
#include "unit/schedule/utc.h"

namespace cwp::schedule {
namespace {

using namespace std::chrono_literals;
using test::iso;
using test::utc;

cron_expression cron(std::string_view text) { return cron_expression::parse(text).value(); }

scheduler every_minute(std::string_view splay_text = "", std::uint64_t seed = 1) {
  const cron_expression schedule = cron("*/1 * * * *");
  return scheduler(schedule, splay::parse(splay_text, schedule).value(), seed);
}

scheduler::step poll(scheduler& s, const testing::fake_clock& c) {
  return s.poll(c.now(), c.monotonic());
}

// The daemon loop's timing on the fake clock: poll, then sleep `wait`, until `until`.
std::vector<scheduler::step> run_until(scheduler& s, testing::fake_clock& c, core::sys_time until) {
  std::vector<scheduler::step> steps;
  while (c.now() < until) {
    steps.push_back(poll(s, c));
    c.sleep_for(steps.back().wait);
  }
  return steps;
}

std::vector<scheduler::tick> fired(const std::vector<scheduler::step>& steps) {
  std::vector<scheduler::tick> ticks;
  for (const auto& st : steps) {
    if (st.fire) ticks.push_back(*st.fire);
  }
  return ticks;
}

std::size_t missed(const std::vector<scheduler::step>& steps) {
  std::size_t n = 0;
  for (const auto& st : steps) n += st.missed;
  return n;
}

TEST(Scheduler, HasNoPendingTickBeforeTheFirstPoll) { EXPECT_FALSE(every_minute().pending()); }

TEST(Scheduler, FirstPollPlansTheFirstTickStrictlyAfterNow) {
  testing::fake_clock c(utc("2025-06-10T12:00:00Z"));
  scheduler s = every_minute();
  const auto st = poll(s, c);
  EXPECT_FALSE(st.fire);
  ASSERT_TRUE(s.pending());
  EXPECT_EQ(iso(s.pending()->scheduled), "2025-06-10T12:01:00Z");
}

TEST(Scheduler, WaitNeverExceedsMaxWait) {
  testing::fake_clock c(utc("2025-06-10T12:00:00Z"));
  scheduler s = every_minute();
  EXPECT_EQ(poll(s, c).wait, scheduler::max_wait);
}

TEST(Scheduler, SleepingWaitWakesExactlyAtFireAt) {
  testing::fake_clock c(utc("2025-06-10T12:00:00.250Z"));
  scheduler s = every_minute("0-30s", 7);
  poll(s, c);
  const scheduler::tick planned = *s.pending();
  for (int i = 0; i < 200; ++i) {
    const auto st = poll(s, c);
    if (st.fire) {
      EXPECT_EQ(c.now(), planned.fire_at);
      EXPECT_EQ(st.fire->fire_at, planned.fire_at);
      EXPECT_EQ(st.fire->scheduled, planned.scheduled);
      return;
    }
    ASSERT_GT(st.wait, 0ms);
    ASSERT_LE(st.wait, scheduler::max_wait);
    c.sleep_for(st.wait);
  }
  FAIL() << "the tick never fired";
}

TEST(Scheduler, ReportsATickInThePollWhereItBecomesDue) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute();
  poll(s, c);
  c.set_wall(utc("2025-06-10T12:00:59.999Z"));
  EXPECT_FALSE(poll(s, c).fire);
  c.set_wall(utc("2025-06-10T12:01:00Z"));
  const auto st = poll(s, c);
  ASSERT_TRUE(st.fire);
  EXPECT_EQ(iso(st.fire->scheduled), "2025-06-10T12:01:00Z");
  EXPECT_EQ(iso(s.pending()->scheduled), "2025-06-10T12:02:00Z");
}

TEST(Scheduler, FiresEveryTickOnceInOrder) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute();
  const auto ticks = fired(run_until(s, c, utc("2025-06-10T12:10:30Z")));
  ASSERT_EQ(ticks.size(), 10U);
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    EXPECT_EQ(ticks[i].scheduled, utc("2025-06-10T12:01:00Z") + std::chrono::minutes{i});
  }
}

TEST(Scheduler, WithoutSplayFireAtIsTheScheduledTime) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute();
  for (const auto& t : fired(run_until(s, c, utc("2025-06-10T12:05:30Z")))) {
    EXPECT_EQ(t.fire_at, t.scheduled);
  }
}

TEST(Scheduler, ASlightlyLateTickStillFires) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute();
  poll(s, c);
  c.advance(31500ms);  // a slow loop: 1.5 s past the tick
  const auto st = poll(s, c);
  ASSERT_TRUE(st.fire);
  EXPECT_EQ(iso(st.fire->scheduled), "2025-06-10T12:01:00Z");
  EXPECT_EQ(st.missed, 0U);
}

TEST(Scheduler, ClockJumpForwardSkipsTicksWithOneMissedCountAndNoBurst) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute();
  poll(s, c);
  c.jump_wall(3h);
  const auto st = poll(s, c);
  EXPECT_EQ(st.jump, clock_jump::forward);
  EXPECT_EQ(st.missed, 180U);  // 12:01 through 15:00
  EXPECT_FALSE(st.fire);
  EXPECT_EQ(iso(s.pending()->scheduled), "2025-06-10T15:01:00Z");

  const auto after = run_until(s, c, utc("2025-06-10T15:05:30Z"));
  EXPECT_EQ(fired(after).size(), 5U);
  EXPECT_EQ(missed(after), 0U);
}

// A clock set forward by years: the missed ticks are counted, not walked one next_after() at a
// time (946 million of them for @every 1s), so the loop answers signals at once.
TEST(Scheduler, ClockSetThirtyYearsForwardCountsEveryMissedSecondTick) {
  testing::fake_clock c(utc("2025-06-10T12:00:00Z") + 500ms);
  const cron_expression schedule = cron("@every 1s");
  scheduler s(schedule, splay::parse("", schedule).value(), 1);
  poll(s, c);
  ASSERT_EQ(iso(s.pending()->scheduled), "2025-06-10T12:00:01Z");
  c.jump_wall(utc("2055-06-10T12:00:00Z") - utc("2025-06-10T12:00:00Z"));
  const auto st = poll(s, c);
  EXPECT_EQ(st.jump, clock_jump::forward);
  // 12:00:01 (2025) up to 11:59:59 (2055), which is late by 1.5 s only and still runs.
  ASSERT_TRUE(st.fire);
  EXPECT_EQ(iso(st.fire->scheduled), "2055-06-10T11:59:59Z");
  const auto seconds_between = std::chrono::duration_cast<std::chrono::seconds>(
      utc("2055-06-10T11:59:59Z") - utc("2025-06-10T12:00:01Z"));
  EXPECT_EQ(st.missed, static_cast<std::size_t>(seconds_between.count()));
  EXPECT_EQ(st.missed, 946'684'798U);
}

TEST(Scheduler, ClockSetThirtyYearsForwardCountsCronTicksByTheCalendar) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  const cron_expression five_minutes = cron("*/5 * * * *");
  scheduler s(five_minutes, splay::parse("", five_minutes).value(), 1);
  poll(s, c);
  c.jump_wall(utc("2055-06-10T12:00:30Z") - utc("2025-06-10T12:00:30Z"));
  const auto st = poll(s, c);
  EXPECT_FALSE(st.fire);
  EXPECT_EQ(iso(s.pending()->scheduled), "2055-06-10T12:05:00Z");
  const auto minutes_between = std::chrono::duration_cast<std::chrono::minutes>(
      utc("2055-06-10T12:05:00Z") - utc("2025-06-10T12:05:00Z"));
  EXPECT_EQ(st.missed, static_cast<std::size_t>(minutes_between.count() / 5));

  // Leap days only: 2028, 2032, ... 2052 were missed; 2056-02-29 is next.
  testing::fake_clock leap(utc("2025-06-10T12:00:30Z"));
  const cron_expression leap_days = cron("0 0 29 2 *");
  scheduler l(leap_days, splay::parse("", leap_days).value(), 1);
  poll(l, leap);
  leap.jump_wall(utc("2055-06-10T12:00:30Z") - utc("2025-06-10T12:00:30Z"));
  EXPECT_EQ(poll(l, leap).missed, 7U);
  EXPECT_EQ(iso(l.pending()->scheduled), "2056-02-29T00:00:00Z");
}

TEST(Scheduler, SmallForwardJumpIsReportedWithoutSkipping) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute();
  poll(s, c);
  c.jump_wall(5s);
  const auto st = poll(s, c);
  EXPECT_EQ(st.jump, clock_jump::forward);
  EXPECT_EQ(st.missed, 0U);
  EXPECT_EQ(iso(s.pending()->scheduled), "2025-06-10T12:01:00Z");
}

TEST(Scheduler, ClockJumpBackwardReplansFromTheNewTime) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute();
  poll(s, c);
  c.jump_wall(-1h);
  const auto st = poll(s, c);
  EXPECT_EQ(st.jump, clock_jump::backward);
  EXPECT_EQ(st.missed, 0U);
  EXPECT_EQ(iso(s.pending()->scheduled), "2025-06-10T11:01:00Z");

  const auto ticks = fired(run_until(s, c, utc("2025-06-10T11:01:30Z")));
  ASSERT_EQ(ticks.size(), 1U);
  EXPECT_EQ(iso(ticks[0].scheduled), "2025-06-10T11:01:00Z");
}

TEST(Scheduler, ProcessPauseSkipsTicksWithOneMissedCountAndNoBurst) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute();
  poll(s, c);
  c.advance(3h);  // SIGSTOP: both clocks move on
  const auto st = poll(s, c);
  EXPECT_EQ(st.jump, clock_jump::none);
  EXPECT_EQ(st.missed, 180U);
  EXPECT_FALSE(st.fire);

  const auto after = run_until(s, c, utc("2025-06-10T15:05:30Z"));
  EXPECT_EQ(fired(after).size(), 5U);
  EXPECT_EQ(missed(after), 0U);
}

TEST(Scheduler, PauseEndingJustAfterATickStillRunsThatTick) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute();
  poll(s, c);
  c.advance(3h + 31s);  // resumes at 15:01:01, one second after a tick
  const auto st = poll(s, c);
  EXPECT_EQ(st.missed, 180U);
  ASSERT_TRUE(st.fire);
  EXPECT_EQ(iso(st.fire->scheduled), "2025-06-10T15:01:00Z");
}

TEST(Scheduler, MidnightTickCarriesTheNewDate) {
  testing::fake_clock c(utc("2025-12-31T23:59:30Z"));
  scheduler s = every_minute("0-20s", 3);
  const auto ticks = fired(run_until(s, c, utc("2026-01-01T00:01:00Z")));
  ASSERT_FALSE(ticks.empty());
  EXPECT_EQ(iso(ticks[0].scheduled), "2026-01-01T00:00:00Z");
  EXPECT_EQ(core::format_date(ticks[0].scheduled), "2026-01-01");
}

TEST(Scheduler, SplayedFireAtStaysWithinTheRange) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler s = every_minute("10s-50s", 42);
  const auto ticks = fired(run_until(s, c, utc("2025-06-10T15:20:30Z")));
  ASSERT_EQ(ticks.size(), 200U);
  std::set<core::sys_time::duration> delays;
  for (const auto& t : ticks) {
    EXPECT_GE(t.fire_at - t.scheduled, 10s);
    EXPECT_LE(t.fire_at - t.scheduled, 50s);
    delays.insert(t.fire_at - t.scheduled);
  }
  EXPECT_GT(delays.size(), 150U);  // draws vary tick to tick
}

TEST(Scheduler, DifferentSeedsDrawDifferentDelays) {
  testing::fake_clock c(utc("2025-06-10T12:00:30Z"));
  scheduler a = every_minute("0-30s", 1);
  scheduler b = every_minute("0-30s", 2);
  scheduler a_again = every_minute("0-30s", 1);
  poll(a, c);
  poll(b, c);
  poll(a_again, c);
  EXPECT_NE(a.pending()->fire_at, b.pending()->fire_at);
  EXPECT_EQ(a.pending()->fire_at, a_again.pending()->fire_at);
}

TEST(Scheduler, EverySecondScheduleFiresEachSecond) {
  testing::fake_clock c(utc("2025-06-10T12:00:00.400Z"));
  const cron_expression schedule = cron("@every 1s");
  scheduler s(schedule, splay{}, 1);
  const auto ticks = fired(run_until(s, c, utc("2025-06-10T12:00:10.400Z")));
  ASSERT_EQ(ticks.size(), 10U);
  EXPECT_EQ(iso(ticks.front().scheduled), "2025-06-10T12:00:01Z");
  EXPECT_EQ(iso(ticks.back().scheduled), "2025-06-10T12:00:10Z");
}

}  // namespace
}  // namespace cwp::schedule
