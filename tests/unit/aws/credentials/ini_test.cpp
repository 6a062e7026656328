#include "aws/credentials/ini.h"

#include <gtest/gtest.h>

namespace cwp::aws {
namespace {

TEST(Ini, ReadsSectionsWithTrimmedNamesKeysAndValues) {
  const auto doc = parse_ini("[ default ]\n  aws_access_key_id =  AKID  \nregion=us-east-1\n");
  ASSERT_EQ(doc.count("default"), 1U);
  EXPECT_EQ(doc.at("default").at("aws_access_key_id"), "AKID");
  EXPECT_EQ(doc.at("default").at("region"), "us-east-1");
}

TEST(Ini, SkipsCommentLinesButKeepsHashesInsideValues) {
  const auto doc = parse_ini("# top\n[a]\n; note\n  # indented comment\nk = v # not a comment\n");
  EXPECT_EQ(doc.at("a").size(), 1U);
  EXPECT_EQ(doc.at("a").at("k"), "v # not a comment");
}

TEST(Ini, AcceptsColonAsDelimiterAndSplitsAtTheFirstDelimiter) {
  const auto doc = parse_ini("[a]\nk: v=w\nurl = http://x:1\n");
  EXPECT_EQ(doc.at("a").at("k"), "v=w");
  EXPECT_EQ(doc.at("a").at("url"), "http://x:1");
}

TEST(Ini, LowerCasesKeysButNotSectionNamesOrValues) {
  const auto doc = parse_ini("[Prod]\nAWS_Access_Key_ID = AbC\n");
  EXPECT_EQ(doc.at("Prod").at("aws_access_key_id"), "AbC");
  EXPECT_EQ(doc.count("prod"), 0U);
}

TEST(Ini, LaterDuplicatesOverrideAndRepeatedSectionsMerge) {
  const auto doc = parse_ini("[a]\nk = 1\nx = 1\n[b]\n[a]\nk = 2\n");
  EXPECT_EQ(doc.at("a").at("k"), "2");
  EXPECT_EQ(doc.at("a").at("x"), "1");
}

TEST(Ini, StoresNestedSubSectionsUnderParentDotKey) {
  const auto doc =
      parse_ini("[a]\ns3 =\n  max_concurrent_requests = 10\n  addressing_style=path\nregion = r\n");
  EXPECT_EQ(doc.at("a").at("s3"), "");
  EXPECT_EQ(doc.at("a").at("s3.max_concurrent_requests"), "10");
  EXPECT_EQ(doc.at("a").at("s3.addressing_style"), "path");
  EXPECT_EQ(doc.at("a").at("region"), "r");
}

TEST(Ini, IgnoresContinuationLinesOfNonEmptyValues) {
  const auto doc = parse_ini("[a]\nk = first\n   second = line\nj = 2\n");
  EXPECT_EQ(doc.at("a").at("k"), "first");
  EXPECT_EQ(doc.at("a").count("second"), 0U);
  EXPECT_EQ(doc.at("a").at("j"), "2");
}

TEST(Ini, ConsistentlyIndentedKeysAreOrdinaryKeys) {
  const auto doc = parse_ini("[a]\n  k = 1\n  j = 2\n");
  EXPECT_EQ(doc.at("a").at("k"), "1");
  EXPECT_EQ(doc.at("a").at("j"), "2");
}

TEST(Ini, ToleratesCrLfBomAndJunk) {
  const auto doc = parse_ini(
      "\xEF\xBB\xBFk = before any section\r\n[a]\r\nk = v\r\njunk line\r\n[broken\r\nz = 1\r\n");
  EXPECT_EQ(doc.size(), 1U);
  EXPECT_EQ(doc.at("a").at("k"), "v");
  EXPECT_EQ(doc.at("a").count("z"), 0U);
}

TEST(Ini, EmptyInputIsAnEmptyDocument) {
  EXPECT_TRUE(parse_ini("").empty());
  EXPECT_TRUE(parse_ini("\n\n   \n").empty());
}

}  // namespace
}  // namespace cwp::aws
