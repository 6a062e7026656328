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

// {date} is always 10 characters, so the values decide alone whether every name is valid.
TEST(StreamTemplate, CheckValuesAcceptsNamesOfExactlyTheLimit) {
  const auto t = stream_template::parse("{hostname}-{date}");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->check_values({std::string(max_name_length - 11, 'h'), ""}));
  const auto long_name = t->check_values({std::string(max_name_length - 10, 'h'), ""});
  ASSERT_FALSE(long_name);
  EXPECT_EQ(long_name.error().code, core::errc::invalid_argument);
  EXPECT_NE(long_name.error().message.find("(513 characters)"), std::string::npos)
      << long_name.error().message;
  EXPECT_NE(long_name.error().message.find("1 to 512 characters"), std::string::npos);
  // A 513-character name is not quoted whole.
  EXPECT_LT(long_name.error().message.size(), 300U);
}

TEST(StreamTemplate, CheckValuesNamesTheForbiddenCharacterAValueBrings) {
  const auto t = stream_template::parse("hb-{hostname}");
  ASSERT_TRUE(t);
  const auto bad = t->check_values({"db*1", ""});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "'hb-{hostname}' renders to 'hb-db*1' (7 characters, with '*'); CloudWatch Logs does "
            "not allow ':' or '*' in log stream names");
}

}  // namespace
}  // namespace cwp::cloudwatch
