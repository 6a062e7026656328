#include "cloudwatch/names.h"

#include <gtest/gtest.h>

namespace cwp::cloudwatch {
namespace {

using namespace std::chrono;

TEST(LogGroupName, AcceptsTheServiceCharacterSet) {
  EXPECT_TRUE(validate_log_group("/monorepo-fem/heartbeat"));
  EXPECT_TRUE(validate_log_group("a.b_c-d#e"));
}

TEST(LogGroupName, RejectsOtherCharactersAndBadLengths) {
  const auto bad = validate_log_group("/has space");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("' '"), std::string::npos);
  EXPECT_FALSE(validate_log_group(""));
  EXPECT_FALSE(validate_log_group(std::string(513, 'a')));
}

TEST(LogStreamName, RejectsColonAndStar) {
  EXPECT_TRUE(validate_log_stream("host 1/ü"));
  EXPECT_FALSE(validate_log_stream("a:b"));
  EXPECT_FALSE(validate_log_stream("a*"));
}

TEST(StreamTemplate, DefaultRendersTheUtcDateOfTheEvent) {
  const auto t = stream_template::parse("heartbeat-{date}");
  ASSERT_TRUE(t);
  const sys_time<system_clock::duration> before_midnight =
      sys_days{2026y / December / 31} + 23h + 59min + 59s;
  EXPECT_EQ(*t->render(before_midnight, {}), "heartbeat-2026-12-31");
  EXPECT_EQ(*t->render(before_midnight + 1s, {}), "heartbeat-2027-01-01");
}

TEST(StreamTemplate, RendersHostnameAndInstanceId) {
  const auto t = stream_template::parse("{hostname}/{instance_id}/{date}");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->uses("hostname"));
  EXPECT_EQ(*t->render(sys_days{2026y / January / 2}, {"node-1", "i-0abc"}),
            "node-1/i-0abc/2026-01-02");
}

TEST(StreamTemplate, RejectsUnknownPlaceholdersAndForbiddenCharacters) {
  const auto unknown = stream_template::parse("hb-{day}");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("{day}"), std::string::npos);
  EXPECT_FALSE(stream_template::parse("hb-{date"));
  EXPECT_FALSE(stream_template::parse("hb:{date}"));
  EXPECT_FALSE(stream_template::parse(""));
}

TEST(StreamTemplate, RenderFailsWhenAValueBreaksTheRules) {
  const auto t = stream_template::parse("{hostname}");
  EXPECT_FALSE(t->render(sys_days{2026y / January / 2}, {"bad:host", ""}));
}

}  // namespace
}  // namespace cwp::cloudwatch
