#include "schedule/cron_expression.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "unit/schedule/utc.h"

namespace cwp::schedule {
namespace {

using namespace std::chrono_literals;
using test::iso;
using test::utc;

cron_expression cron(std::string_view text) { return cron_expression::parse(text).value(); }

// The next `count` fire times after `from`, as ISO-8601 text.
std::vector<std::string> fires(std::string_view text, std::string_view from, int count) {
  const cron_expression e = cron(text);
  std::vector<std::string> out;
  core::sys_time t = utc(from);
  for (int i = 0; i < count; ++i) {
    t = e.next_after(t);
    out.push_back(iso(t));
  }
  return out;
}

std::string parse_error(std::string_view text) {
  const auto e = cron_expression::parse(text);
  if (e) return "parsed";
  EXPECT_EQ(e.error().code, core::errc::invalid_argument);
  return e.error().message;
}

using strings = std::vector<std::string>;

// --- next_after: cron fields ---

TEST(CronExpression, NextAfterSkipsToFirstMatchingMinute) {
  EXPECT_EQ(fires("30 * * * *", "2025-06-10T12:10:00Z", 2),
            (strings{"2025-06-10T12:30:00Z", "2025-06-10T13:30:00Z"}));
}

TEST(CronExpression, NextAfterIsStrictlyAfterAFireTime) {
  EXPECT_EQ(fires("*/1 * * * *", "2025-06-10T12:00:00Z", 1), (strings{"2025-06-10T12:01:00Z"}));
}

TEST(CronExpression, NextAfterFiresAtSecondZeroOfTheMinute) {
  const cron_expression e = cron("* * * * *");
  EXPECT_EQ(e.next_after(utc("2025-06-10T12:00:59.999Z")), utc("2025-06-10T12:01:00Z"));
  EXPECT_EQ(e.next_after(utc("2025-06-10T12:00:00.001Z")), utc("2025-06-10T12:01:00Z"));
}

TEST(CronExpression, NextAfterCrossesFromJanuary31IntoFebruary) {
  EXPECT_EQ(fires("0 12 * * *", "2025-01-31T13:00:00Z", 1), (strings{"2025-02-01T12:00:00Z"}));
}

TEST(CronExpression, NextAfterSkipsMonthsWithoutTheDay) {
  EXPECT_EQ(fires("0 0 31 * *", "2025-01-31T00:00:00Z", 3),
            (strings{"2025-03-31T00:00:00Z", "2025-05-31T00:00:00Z", "2025-07-31T00:00:00Z"}));
}

TEST(CronExpression, NextAfterFindsTheNextLeapDay) {
  EXPECT_EQ(fires("0 0 29 2 *", "2025-01-01T00:00:00Z", 2),
            (strings{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}));
}

TEST(CronExpression, NextAfterSkipsCenturyYearsThatAreNotLeap) {
  EXPECT_EQ(fires("0 0 29 2 *", "2096-03-01T00:00:00Z", 1), (strings{"2104-02-29T00:00:00Z"}));
}

TEST(CronExpression, NextAfterFindsALeapDayOnAGivenWeekdayDecadesAway) {
  // */7 starts with '*', so both day fields must match: Feb 29 on a Sunday.
  EXPECT_EQ(fires("0 0 29 2 */7", "2004-03-01T00:00:00Z", 1), (strings{"2032-02-29T00:00:00Z"}));
}

TEST(CronExpression, NextAfterRollsOverTheYearEnd) {
  EXPECT_EQ(fires("*/15 * * * *", "2025-12-31T23:50:00Z", 2),
            (strings{"2026-01-01T00:00:00Z", "2026-01-01T00:15:00Z"}));
  EXPECT_EQ(fires("0 0 1 1 *", "2025-06-01T00:00:00Z", 1), (strings{"2026-01-01T00:00:00Z"}));
}

TEST(CronExpression, StepFromStarSelectsEveryNth) {
  EXPECT_EQ(fires("*/15 * * * *", "2025-06-10T12:00:00Z", 4),
            (strings{"2025-06-10T12:15:00Z", "2025-06-10T12:30:00Z", "2025-06-10T12:45:00Z",
                     "2025-06-10T13:00:00Z"}));
}

TEST(CronExpression, StepOverRangeStartsAtTheRangeStart) {
  EXPECT_EQ(fires("5-59/20 * * * *", "2025-06-10T12:00:00Z", 4),
            (strings{"2025-06-10T12:05:00Z", "2025-06-10T12:25:00Z", "2025-06-10T12:45:00Z",
                     "2025-06-10T13:05:00Z"}));
}

TEST(CronExpression, StepFromAValueRunsToTheFieldMaximum) {
  EXPECT_EQ(fires("10/20 * * * *", "2025-06-10T12:00:00Z", 4),
            (strings{"2025-06-10T12:10:00Z", "2025-06-10T12:30:00Z", "2025-06-10T12:50:00Z",
                     "2025-06-10T13:10:00Z"}));
}

TEST(CronExpression, ListMixesValuesAndRanges) {
  EXPECT_EQ(fires("1,2,5-7 * * * *", "2025-06-10T12:00:00Z", 6),
            (strings{"2025-06-10T12:01:00Z", "2025-06-10T12:02:00Z", "2025-06-10T12:05:00Z",
                     "2025-06-10T12:06:00Z", "2025-06-10T12:07:00Z", "2025-06-10T13:01:00Z"}));
}

TEST(CronExpression, HourFieldSkipsToTheNextMatchingHour) {
  EXPECT_EQ(fires("15 9,17 * * *", "2025-06-10T09:20:00Z", 2),
            (strings{"2025-06-10T17:15:00Z", "2025-06-11T09:15:00Z"}));
}

TEST(CronExpression, MonthAndWeekdayNamesSelectBusinessMornings) {
  // 2025-03-28 is a Friday, 2025-03-31 a Monday, 2026-01-01 a Thursday.
  EXPECT_EQ(fires("0 9 * JAN-MAR MON-FRI", "2025-03-28T10:00:00Z", 2),
            (strings{"2025-03-31T09:00:00Z", "2026-01-01T09:00:00Z"}));
}

TEST(CronExpression, NamesAreCaseInsensitive) {
  EXPECT_EQ(fires("0 9 * jan-Mar mon-fri", "2025-03-28T10:00:00Z", 2),
            fires("0 9 * 1-3 1-5", "2025-03-28T10:00:00Z", 2));
}

TEST(CronExpression, RestrictedDayOfMonthAndDayOfWeekMatchEither) {
  // 2025-07-13 is a Sunday (the 13th matches), 2025-07-18 a Friday (the weekday matches).
  EXPECT_EQ(fires("0 0 13 * FRI", "2025-07-12T00:00:00Z", 2),
            (strings{"2025-07-13T00:00:00Z", "2025-07-18T00:00:00Z"}));
}

TEST(CronExpression, DayFieldStartingWithStarMustMatchToo) {
  // Vixie cron treats */10 as unrestricted, so the day must be 1, 11, 21 or 31 AND a Monday.
  EXPECT_EQ(fires("0 0 */10 * MON", "2025-01-01T00:00:00Z", 1), (strings{"2025-03-31T00:00:00Z"}));
}

TEST(CronExpression, UnrestrictedDayOfMonthLeavesTheWeekdayInCharge) {
  // 2025-06-10 is a Tuesday.
  EXPECT_EQ(fires("0 0 * * MON", "2025-06-10T00:00:00Z", 2),
            (strings{"2025-06-16T00:00:00Z", "2025-06-23T00:00:00Z"}));
}

TEST(CronExpression, SundayIsZeroSevenOrSun) {
  const strings sunday{"2025-06-08T00:00:00Z"};  // the Sunday after Monday 2025-06-02
  EXPECT_EQ(fires("0 0 * * 0", "2025-06-02T00:00:00Z", 1), sunday);
  EXPECT_EQ(fires("0 0 * * 7", "2025-06-02T00:00:00Z", 1), sunday);
  EXPECT_EQ(fires("0 0 * * sun", "2025-06-02T00:00:00Z", 1), sunday);
}

TEST(CronExpression, WeekdayRangeMayEndOnSunday) {
  const strings weekend{"2025-06-06T00:00:00Z", "2025-06-07T00:00:00Z", "2025-06-08T00:00:00Z",
                        "2025-06-13T00:00:00Z"};
  EXPECT_EQ(fires("0 0 * * FRI-SUN", "2025-06-02T00:00:00Z", 4), weekend);
  EXPECT_EQ(fires("0 0 * * 5-7", "2025-06-02T00:00:00Z", 4), weekend);
}

// --- descriptors ---

TEST(CronExpression, EveryThirtySecondsIsAlignedToTheWallClock) {
  EXPECT_EQ(fires("@every 30s", "2025-06-10T12:00:10.500Z", 3),
            (strings{"2025-06-10T12:00:30Z", "2025-06-10T12:01:00Z", "2025-06-10T12:01:30Z"}));
}

TEST(CronExpression, EveryTicksAreMultiplesOfTheIntervalSinceTheEpoch) {
  const cron_expression e = cron("@every 7s");
  const auto next = e.next_after(utc("2025-06-10T12:00:00Z"));
  EXPECT_EQ(next.time_since_epoch() % 7s, 0s);
  EXPECT_GT(next, utc("2025-06-10T12:00:00Z"));
  EXPECT_LE(next, utc("2025-06-10T12:00:07Z"));
  EXPECT_EQ(fires("@every 1h30m", "2025-01-01T00:00:00Z", 2),
            (strings{"2025-01-01T01:30:00Z", "2025-01-01T03:00:00Z"}));
}

TEST(CronExpression, EveryIsStrictlyAfterATick) {
  EXPECT_EQ(fires("@every 30s", "2025-06-10T12:00:30Z", 1), (strings{"2025-06-10T12:01:00Z"}));
}

TEST(CronExpression, HourlyFiresAtMinuteZero) {
  EXPECT_EQ(fires("@hourly", "2025-06-10T12:00:00Z", 2),
            (strings{"2025-06-10T13:00:00Z", "2025-06-10T14:00:00Z"}));
}

TEST(CronExpression, DailyAndMidnightFireAtMidnightUtc) {
  EXPECT_EQ(fires("@daily", "2025-12-31T00:00:00Z", 1), (strings{"2026-01-01T00:00:00Z"}));
  EXPECT_EQ(fires("@midnight", "2025-12-31T00:00:00Z", 1), (strings{"2026-01-01T00:00:00Z"}));
}

TEST(CronExpression, WeeklyMonthlyAndYearlyDescriptors) {
  EXPECT_EQ(fires("@weekly", "2025-06-10T00:00:00Z", 1), (strings{"2025-06-15T00:00:00Z"}));
  EXPECT_EQ(fires("@monthly", "2025-06-10T00:00:00Z", 1), (strings{"2025-07-01T00:00:00Z"}));
  EXPECT_EQ(fires("@yearly", "2025-06-10T00:00:00Z", 1), (strings{"2026-01-01T00:00:00Z"}));
  EXPECT_EQ(fires("@annually", "2025-06-10T00:00:00Z", 1), (strings{"2026-01-01T00:00:00Z"}));
}

TEST(CronExpression, DescriptorsAreCaseInsensitive) {
  EXPECT_EQ(fires("@HOURLY", "2025-06-10T12:00:00Z", 1), (strings{"2025-06-10T13:00:00Z"}));
  EXPECT_EQ(fires("@Every 30s", "2025-06-10T12:00:00Z", 1), (strings{"2025-06-10T12:00:30Z"}));
}

TEST(CronExpression, TextIsTheParsedTextWithoutSurroundingWhitespace) {
  EXPECT_EQ(cron("  */5 *  * * *\n").text(), "*/5 *  * * *");
  EXPECT_EQ(cron("@every 30s").text(), "@every 30s");
}

TEST(CronExpression, FieldsMaySeparateWithAnyWhitespace) {
  EXPECT_EQ(fires("30\t*  *\t* *", "2025-06-10T12:10:00Z", 1), (strings{"2025-06-10T12:30:00Z"}));
}

// --- min_interval ---

TEST(CronExpression, MinIntervalIsTheClosestPairOfFireTimes) {
  EXPECT_EQ(cron("*/15 * * * *").min_interval(), 15min);
  EXPECT_EQ(cron("5-59/20 * * * *").min_interval(), 20min);
  EXPECT_EQ(cron("0,1 * * * *").min_interval(), 1min);
  EXPECT_EQ(cron("0 */6 * * *").min_interval(), 6h);
  EXPECT_EQ(cron("0 1,23 * * *").min_interval(), 2h);  // 23:00 -> 01:00 across midnight
  EXPECT_EQ(cron("0 0 * * *").min_interval(), 24h);
  EXPECT_EQ(cron("@every 30s").min_interval(), 30s);
}

// --- rejected expressions ---

TEST(CronExpression, RejectsEmptyText) {
  EXPECT_EQ(parse_error("  "),
            "schedule is empty; expected 5 fields (minute hour day-of-month month day-of-week) or "
            "a descriptor such as @hourly or @every 30s");
}

TEST(CronExpression, RejectsTooFewFields) {
  EXPECT_EQ(parse_error("* * * *"),
            "'* * * *' has 4 fields; expected 5 (minute hour day-of-month month day-of-week)");
}

TEST(CronExpression, RejectsASecondsFieldPointingToEvery) {
  EXPECT_EQ(parse_error("0 * * * * *"),
            "'0 * * * * *' has 6 fields; expected 5 (minute hour day-of-month month "
            "day-of-week); a seconds field is not supported, use @every for intervals under a "
            "minute");
}

TEST(CronExpression, RejectsOutOfRangeValuesNamingFieldAndRange) {
  EXPECT_EQ(parse_error("61 * * * *"), "minute field '61' is out of range 0-59");
  EXPECT_EQ(parse_error("0 24 * * *"), "hour field '24' is out of range 0-23");
  EXPECT_EQ(parse_error("0 0 0 * *"), "day-of-month field '0' is out of range 1-31");
  EXPECT_EQ(parse_error("0 0 * 13 *"), "month field '13' is out of range 1-12");
  EXPECT_EQ(parse_error("0 0 * * 8"), "day-of-week field '8' is out of range 0-7");
  EXPECT_EQ(parse_error("99999999999 * * * *"), "minute field '99999999999' is out of range 0-59");
}

TEST(CronExpression, RejectsOutOfRangeValueInsideAListNamingTheValue) {
  EXPECT_EQ(parse_error("1,61 * * * *"), "minute field '1,61': '61' is out of range 0-59");
  EXPECT_EQ(parse_error("50-61 * * * *"), "minute field '50-61': '61' is out of range 0-59");
}

TEST(CronExpression, RejectsStepZero) {
  EXPECT_EQ(parse_error("*/0 * * * *"), "minute field '*/0' has step 0; a step must be 1 or more");
}

TEST(CronExpression, RejectsStepsLargerThanTheField) {
  EXPECT_EQ(parse_error("0 */25 * * *"),
            "hour field '*/25' has a step larger than the field's range 0-23");
  EXPECT_EQ(parse_error("*/4294967296 * * * *"),
            "minute field '*/4294967296' has a step larger than the field's range 0-59");
}

TEST(CronExpression, RejectsNonNumericStep) {
  EXPECT_EQ(parse_error("*/x * * * *"), "minute field '*/x' has a step that is not a number");
}

TEST(CronExpression, RejectsReversedRangeSuggestingTheWrap) {
  EXPECT_EQ(parse_error("0 22-2 * * *"),
            "hour field '22-2' is a reversed range; to wrap around, write 22-23,0-2");
}

TEST(CronExpression, RejectsUnknownNames) {
  EXPECT_EQ(parse_error("0 0 * FOO *"),
            "month field 'FOO' is not a number or a month name (JAN-DEC)");
  EXPECT_EQ(parse_error("0 0 * * MON-FUN"),
            "day-of-week field 'MON-FUN': 'FUN' is not a number or a weekday name (SUN-SAT)");
  EXPECT_EQ(parse_error("MON 0 * * *"), "minute field 'MON' is not a number");
}

TEST(CronExpression, RejectsEmptyListItemsAndMissingRangeEnds) {
  EXPECT_EQ(parse_error("1,,2 * * * *"), "minute field '1,,2' has an empty list item");
  EXPECT_EQ(parse_error("5- * * * *"), "minute field '5-' is missing a value");
  EXPECT_EQ(parse_error("-5 * * * *"), "minute field '-5' is missing a value");
}

TEST(CronExpression, RejectsDatesThatNeverOccur) {
  EXPECT_EQ(parse_error("0 0 30 2 *"),
            "'0 0 30 2 *' never fires: day-of-month '30' does not occur in month '2'");
  EXPECT_EQ(parse_error("0 0 31 APR,JUN,SEP,NOV *"),
            "'0 0 31 APR,JUN,SEP,NOV *' never fires: day-of-month '31' does not occur in month "
            "'APR,JUN,SEP,NOV'");
}

TEST(CronExpression, AcceptsAnImpossibleDateWhenTheWeekdayAlsoSelects) {
  // Both day fields restricted: February Mondays match even though the 30th never comes.
  EXPECT_EQ(fires("0 0 30 2 MON", "2025-01-01T00:00:00Z", 1), (strings{"2025-02-03T00:00:00Z"}));
}

TEST(CronExpression, RejectsSubSecondEvery) {
  EXPECT_EQ(parse_error("@every 500ms"),
            "@every '500ms' is shorter than 1s; sub-second schedules are not supported");
  EXPECT_EQ(parse_error("@every 1500ms"), "@every '1500ms' is not a whole number of seconds");
}

TEST(CronExpression, RejectsEveryLongerThanADay) {
  EXPECT_EQ(parse_error("@every 25h"),
            "@every '25h' is longer than 24h; use a cron expression for longer periods");
}

TEST(CronExpression, RejectsEveryWithoutExactlyOneDuration) {
  EXPECT_EQ(parse_error("@every"),
            "'@every' needs exactly one duration, such as @every 30s, @every 5m or @every 1h30m");
  EXPECT_EQ(parse_error("@every 1h 30m"),
            "'@every 1h 30m' needs exactly one duration, such as @every 30s, @every 5m or "
            "@every 1h30m");
  EXPECT_EQ(parse_error("@every 30"),
            "@every '30' is not a duration; write a number with a unit (h, m, s, ms) such as "
            "30s, 5m or 1h30m");
}

TEST(CronExpression, RejectsUnknownDescriptorsListingTheKnownOnes) {
  EXPECT_EQ(parse_error("@fortnightly"),
            "unknown descriptor '@fortnightly'; use @hourly, @daily, @midnight, @weekly, "
            "@monthly, @yearly, @annually or @every <duration>");
  EXPECT_EQ(parse_error("@hourly 5"), "'@hourly 5': @hourly takes no arguments");
}

// count_between against the definition: walking next_after() from the range's start.
std::uint64_t walked(const cron_expression& e, core::sys_time from, core::sys_time to) {
  std::uint64_t n = 0;
  for (core::sys_time t = e.next_after(from - 1ns); t < to; t = e.next_after(t)) ++n;
  return n;
}

TEST(CronExpression, CountBetweenAgreesWithWalkingNextAfter) {
  std::mt19937_64 random(20250610);
  const auto base = utc("2023-12-30T22:17:13Z");
  struct shape {
    const char* text;
    std::chrono::hours max_span;
  };
  for (const shape& s : {shape{"*/7 3-5,22 * * *", 96h}, shape{"0 0 29 2 *", 24h * 365 * 9},
                         shape{"15 12 1,15 * MON", 24h * 400}, shape{"@every 45s", 30h},
                         shape{"@every 1h30m", 24h * 40}, shape{"59 23 31 DEC *", 24h * 800}}) {
    const cron_expression e = cron(s.text);
    for (int i = 0; i < 60; ++i) {
      std::uniform_int_distribution<long long> offset_ms(0, 3LL * 24 * 3600 * 1000);
      std::uniform_int_distribution<long long> span_ms(
          0, std::chrono::milliseconds{s.max_span}.count());
      const core::sys_time from = base + std::chrono::milliseconds{offset_ms(random)};
      const core::sys_time to = from + std::chrono::milliseconds{span_ms(random)};
      ASSERT_EQ(e.count_between(from, to), walked(e, from, to))
          << s.text << " from " << iso(from) << " to " << iso(to);
    }
  }
}

TEST(CronExpression, CountBetweenIncludesTheStartAndExcludesTheEnd) {
  const cron_expression minutely = cron("* * * * *");
  EXPECT_EQ(minutely.count_between(utc("2025-01-01T00:00:00Z"), utc("2025-01-01T00:03:00Z")), 3U);
  EXPECT_EQ(minutely.count_between(utc("2025-01-01T00:00:00Z"), utc("2025-01-01T00:00:00Z")), 0U);
  EXPECT_EQ(minutely.count_between(utc("2025-01-01T00:03:00Z"), utc("2025-01-01T00:00:00Z")), 0U);
  const cron_expression every = cron("@every 10s");
  // Before the epoch too: -10 s and 0 s; 10 s is the excluded end.
  const core::sys_time epoch{};
  EXPECT_EQ(every.count_between(epoch - 19s, epoch + 10s), 2U);
}

TEST(CronExpression, CountBetweenOverTwoCenturiesIsExactAndCheap) {
  // 2000-03-01 to 2200-03-01: 200 years holding 48 leap days (2100 is not a leap year).
  EXPECT_EQ(
      cron("0 0 29 2 *").count_between(utc("2000-03-01T00:00:00Z"), utc("2200-03-01T00:00:00Z")),
      48U);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(
      utc("2200-03-01T00:00:00Z") - utc("2000-03-01T00:00:00Z"));
  EXPECT_EQ(
      cron("* * * * *").count_between(utc("2000-03-01T00:00:00Z"), utc("2200-03-01T00:00:00Z")),
      static_cast<std::uint64_t>(minutes.count()));
  EXPECT_EQ(
      cron("@every 1s").count_between(utc("2000-03-01T00:00:00Z"), utc("2200-03-01T00:00:00Z")),
      static_cast<std::uint64_t>(minutes.count()) * 60);
}

}  // namespace
}  // namespace cwp::schedule
