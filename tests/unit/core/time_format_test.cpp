#include "core/time_format.h"

#include <gtest/gtest.h>

namespace cwp::core {
namespace {

using namespace std::chrono;

const sys_time vector_time = sys_days{2015y / August / 30} + 12h + 36min;

TEST(TimeFormat, FormatsLogTimestampsInUtcSeconds) {
  EXPECT_EQ(format_iso8601_seconds(vector_time + 999ms), "2015-08-30T12:36:00Z");
}

TEST(TimeFormat, FormatsMillisecondsWithZeroPadding) {
  EXPECT_EQ(format_iso8601_millis(vector_time + 7ms), "2015-08-30T12:36:00.007Z");
}

TEST(TimeFormat, FormatsAmzDateAndDate) {
  EXPECT_EQ(format_amz_date(vector_time), "20150830T123600Z");
  EXPECT_EQ(format_date(vector_time), "2015-08-30");
}

TEST(TimeFormat, ParsesIso8601WithZuluFractionAndOffset) {
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00Z"), vector_time);
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00.250Z"), vector_time + 250ms);
  EXPECT_EQ(parse_iso8601("2015-08-30T14:36:00+02:00"), vector_time);
  EXPECT_EQ(parse_iso8601("2015-08-30T12:36:00+00:00"), vector_time);
}

TEST(TimeFormat, RejectsMalformedIso8601) {
  EXPECT_FALSE(parse_iso8601(""));
  EXPECT_FALSE(parse_iso8601("2015-08-30 12:36:00Z"));
  EXPECT_FALSE(parse_iso8601("2015-02-30T12:36:00Z"));
  EXPECT_FALSE(parse_iso8601("2015-08-30T12:36:00"));
  EXPECT_FALSE(parse_iso8601("2015-08-30T12:36:00.Z"));
}

TEST(TimeFormat, ParsesHttpDate) {
  EXPECT_EQ(parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"), vector_time);
  EXPECT_FALSE(parse_http_date("Sun, 30 Foo 2015 12:36:00 GMT"));
  EXPECT_FALSE(parse_http_date("30 Aug 2015 12:36:00 GMT"));
}

TEST(TimeFormat, EpochMillisRoundTrip) {
  EXPECT_EQ(to_epoch_millis(vector_time), 1440938160000);
  EXPECT_EQ(from_epoch_millis(1440938160000), vector_time);
}

}  // namespace
}  // namespace cwp::core

namespace cwp::core {
namespace {

TEST(TimeFormat, RejectsSignsWhereDigitsBelong) {
  EXPECT_FALSE(parse_iso8601("2025-01-01T-1:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2025-01-01T00:00:00+-1:00"));
  EXPECT_FALSE(parse_http_date("Sun, 01 Jan 2025 -1:00:00 GMT"));
}

TEST(TimeFormat, RejectsYearsTheClockCannotHold) {
  EXPECT_FALSE(parse_iso8601("2263-01-01T00:00:00Z"));
  EXPECT_FALSE(parse_http_date("Sun, 01 Jan 2263 00:00:00 GMT"));
  EXPECT_TRUE(parse_iso8601("2199-12-31T23:59:59Z"));
}

}  // namespace
}  // namespace cwp::core
