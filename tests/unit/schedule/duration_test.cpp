#include "schedule/duration.h"

#include <gtest/gtest.h>

namespace cwp::schedule {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesOneUnit) {
  EXPECT_EQ(parse_duration("30s").value(), 30s);
  EXPECT_EQ(parse_duration("5m").value(), 5min);
  EXPECT_EQ(parse_duration("2h").value(), 2h);
  EXPECT_EQ(parse_duration("250ms").value(), 250ms);
}

TEST(Duration, AddsPartsFromLargestToSmallestUnit) {
  EXPECT_EQ(parse_duration("1h30m").value(), 90min);
  EXPECT_EQ(parse_duration("1m30s").value(), 90s);
  EXPECT_EQ(parse_duration("1s500ms").value(), 1500ms);
}

TEST(Duration, BareZeroIsZero) { EXPECT_EQ(parse_duration("0").value(), 0ms); }

TEST(Duration, RejectsNumberWithoutUnit) {
  const auto d = parse_duration("30");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, core::errc::invalid_argument);
  EXPECT_EQ(d.error().message,
            "'30' is not a duration; write a number with a unit (h, m, s, ms) such as 30s, 5m or "
            "1h30m");
}

TEST(Duration, RejectsEmptyTextUnitWithoutNumberAndSigns) {
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("m"));
  EXPECT_FALSE(parse_duration("-5s"));
  EXPECT_FALSE(parse_duration("1.5h"));
  EXPECT_FALSE(parse_duration("5 s"));
}

TEST(Duration, RejectsUnknownUnitNamingIt) {
  EXPECT_EQ(parse_duration("3d").error().message, "'3d' has unknown unit 'd'; use h, m, s or ms");
}

TEST(Duration, RejectsRepeatedOrOutOfOrderUnits) {
  EXPECT_FALSE(parse_duration("30m1h"));
  EXPECT_FALSE(parse_duration("1h1h"));
}

TEST(Duration, RejectsNumbersTooLargeToBeMeant) {
  EXPECT_EQ(parse_duration("99999999999999999999s").error().message,
            "'99999999999999999999s' is too large");
}

TEST(Duration, FormatsInTheNotationItParses) {
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(1500ms), "1s500ms");
  EXPECT_EQ(format_duration(24h), "24h");
  EXPECT_EQ(format_duration(0ms), "0s");
}

}  // namespace
}  // namespace cwp::schedule
