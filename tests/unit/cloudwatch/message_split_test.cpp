#include "cloudwatch/message_split.h"

#include <gtest/gtest.h>

#include "cloudwatch/batch.h"

namespace cwp::cloudwatch {
namespace {

std::string join(const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += p;
  return out;
}

TEST(MessageSplit, ShortTextIsOnePieceAndEmptyTextNone) {
  EXPECT_EQ(split_message("hello", 10), (std::vector<std::string>{"hello"}));
  EXPECT_TRUE(split_message("", 10).empty());
}

TEST(MessageSplit, SplitsAtTheLimitKeepingEveryByte) {
  EXPECT_EQ(split_message("abcdefghij", 4), (std::vector<std::string>{"abcd", "efgh", "ij"}));
}

TEST(MessageSplit, NeverCutsAMultiByteCharacter) {
  const std::string text =
      "ab\xC3\xA9"
      "cd\xE2\x82\xAC"
      "\xF0\x9F\x98\x80";  // abécd€😀
  const auto pieces = split_message(text, 4);
  // "abé" fills 4 bytes; "cd€" would be 5, and cutting at 4 would split the €.
  EXPECT_EQ(pieces,
            (std::vector<std::string>{"ab\xC3\xA9", "cd", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}));
  EXPECT_EQ(split_message("a\xC3\xA9", 2), (std::vector<std::string>{"a", "\xC3\xA9"}));
  EXPECT_EQ(join(pieces), text);
  for (const auto& p : pieces) EXPECT_EQ(make_valid_utf8(p), p);
}

TEST(MessageSplit, DefaultLimitIsTheLargestMessageOfTheCurrentOneMegabyteEvent) {
  // 1,048,576 bytes per event, the 26 bytes of overhead included (PutLogEvents reference).
  EXPECT_EQ(max_message_bytes + per_event_overhead_bytes, 1'048'576U);
  EXPECT_EQ(max_event_bytes, max_batch_bytes);  // one largest event fills a batch
  const std::string big(2 * max_message_bytes + 5, 'x');
  const auto pieces = split_message(big);
  ASSERT_EQ(pieces.size(), 3U);
  EXPECT_EQ(pieces[0].size(), 1'048'550U);
  EXPECT_EQ(pieces[2].size(), 5U);
  EXPECT_EQ(join(pieces), big);
}

TEST(MessageSplit, TheOldLimitGivesPiecesOf262118Bytes) {
  const std::size_t limit = legacy_max_event_bytes - per_event_overhead_bytes;
  EXPECT_EQ(limit, 262'118U);
  const std::string big(900 * 1024, 'y');  // one event under the current limit, four under the old
  const auto pieces = split_message(big, limit);
  ASSERT_EQ(pieces.size(), 4U);
  EXPECT_EQ(pieces[0].size(), limit);
  EXPECT_EQ(pieces[3].size(), 900U * 1024U - 3 * limit);
  EXPECT_EQ(split_message(big).size(), 1U);
}

TEST(MessageSplit, ValidUtf8IsUnchanged) {
  const std::string text = "plain ascii, \xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80";
  EXPECT_EQ(make_valid_utf8(text), text);
}

TEST(MessageSplit, EachInvalidByteBecomesOneReplacementCharacter) {
  EXPECT_EQ(make_valid_utf8("a\xFF"
                            "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(make_valid_utf8("\x80"), "\xEF\xBF\xBD");                  // stray continuation
  EXPECT_EQ(make_valid_utf8("x\xC3"), "x\xEF\xBF\xBD");                // truncated at the end
  EXPECT_EQ(make_valid_utf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(make_valid_utf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(make_valid_utf8("\xF4\x90\x80\x80").size(), 12U);  // above U+10FFFF
}

}  // namespace
}  // namespace cwp::cloudwatch
