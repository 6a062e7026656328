#include "schedule/splay.h"

#include <gtest/gtest.h>

namespace cwp::schedule {
namespace {

using namespace std::chrono_literals;

const cron_expression every_minute = cron_expression::parse("*/1 * * * *").value();

splay parse(std::string_view text) { return splay::parse(text, every_minute).value(); }

std::string parse_error(std::string_view text, const cron_expression& schedule = every_minute) {
  const auto s = splay::parse(text, schedule);
  if (s) return "parsed";
  EXPECT_EQ(s.error().code, core::errc::invalid_argument);
  return s.error().message;
}

TEST(Splay, DefaultIsNone) {
  EXPECT_EQ(splay{}.min(), 0ms);
  EXPECT_EQ(splay{}.max(), 0ms);
}

TEST(Splay, ParsesARange) {
  EXPECT_EQ(parse("0-30s").min(), 0ms);
  EXPECT_EQ(parse("0-30s").max(), 30s);
  EXPECT_EQ(parse("500ms-2s").min(), 500ms);
  EXPECT_EQ(parse("500ms-2s").max(), 2s);
}

TEST(Splay, SingleDurationMeansFromZero) {
  EXPECT_EQ(parse("30s").min(), 0ms);
  EXPECT_EQ(parse("30s").max(), 30s);
}

TEST(Splay, BareLowerBoundTakesTheUpperBoundsUnit) {
  EXPECT_EQ(parse("5-30s").min(), 5s);
  EXPECT_EQ(parse("5-30s").max(), 30s);
}

TEST(Splay, EmptyOrZeroMeansNone) {
  EXPECT_EQ(parse("").max(), 0ms);
  EXPECT_EQ(parse("0").max(), 0ms);
  EXPECT_EQ(parse("0s").max(), 0ms);
}

TEST(Splay, RejectsReversedRange) {
  EXPECT_EQ(parse_error("30s-5s"),
            "'30s-5s' is a reversed range; write the smaller bound first, as in 0-30s");
}

TEST(Splay, RejectsMalformedBoundsNamingThem) {
  EXPECT_EQ(parse_error("30x"), "'30x' has unknown unit 'x'; use h, m, s or ms");
  EXPECT_EQ(parse_error("0-30x"), "'0-30x': '30x' has unknown unit 'x'; use h, m, s or ms");
  EXPECT_EQ(parse_error("0-"),
            "'0-': '' is not a duration; write a number with a unit (h, m, s, ms) such as 30s, 5m "
            "or 1h30m");
}

TEST(Splay, MaxMustStayBelowTheSchedulesShortestInterval) {
  EXPECT_EQ(parse("59s").max(), 59s);
  EXPECT_EQ(parse_error("60s"),
            "'60s' must stay below 1m, the shortest interval of schedule '*/1 * * * *', or a "
            "delayed tick would run after the next one is due");
  const cron_expression every_second = cron_expression::parse("@every 1s").value();
  EXPECT_EQ(splay::parse("0-999ms", every_second).value().max(), 999ms);
  EXPECT_NE(parse_error("1s", every_second), "parsed");
}

}  // namespace
}  // namespace cwp::schedule
