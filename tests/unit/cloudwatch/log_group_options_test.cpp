// What a log group is created with: the log classes a publisher may use, tags under CloudWatch's
// tag rules, and KMS key ARNs.
#include "cloudwatch/log_group_options.h"

#include <gtest/gtest.h>

namespace cwp::cloudwatch {
namespace {

TEST(LogGroupClass, StandardAndInfrequentAccessAsTheApiSpellsThem) {
  EXPECT_EQ(parse_log_group_class("STANDARD"), log_group_class::standard);
  EXPECT_EQ(parse_log_group_class("INFREQUENT_ACCESS"), log_group_class::infrequent_access);
  EXPECT_EQ(to_string(log_group_class::infrequent_access), "INFREQUENT_ACCESS");
  for (const char* bad : {"standard", "IA", "", "INFREQUENT ACCESS"}) {
    const auto r = parse_log_group_class(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("use STANDARD or INFREQUENT_ACCESS"), std::string::npos);
  }
}

TEST(LogGroupClass, DeliveryIsRefusedWithTheReason) {
  const auto r = parse_log_group_class("DELIVERY");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not PutLogEvents"), std::string::npos) << r.error().message;
}

TEST(LogGroupTags, KeyValuePairsSeparatedByCommas) {
  const auto tags = parse_log_group_tags("team=platform, env = prod,empty=,path=/a/b:c@d+e");
  ASSERT_TRUE(tags) << tags.error().message;
  EXPECT_EQ(*tags,
            (std::map<std::string, std::string>{
                {"team", "platform"}, {"env", "prod"}, {"empty", ""}, {"path", "/a/b:c@d+e"}}));
  // '=' may be part of a value; the first one separates.
  EXPECT_EQ(parse_log_group_tags("k=a=b")->at("k"), "a=b");
  // Letters of any script are letters.
  EXPECT_EQ(parse_log_group_tags("équipe=données")->at("équipe"), "données");
}

TEST(LogGroupTags, BreakingTheTagRulesIsAnErrorSayingWhich) {
  const auto message = [](std::string_view text) {
    const auto r = parse_log_group_tags(text);
    EXPECT_FALSE(r) << text;
    return r ? std::string() : r.error().message;
  };
  EXPECT_NE(message("team").find("'team' is not key=value"), std::string::npos);
  EXPECT_NE(message("=x").find("empty key"), std::string::npos);
  EXPECT_NE(message("a=1,a=2").find("'a' is given twice"), std::string::npos);
  EXPECT_NE(message("aws:x=1").find("reserved"), std::string::npos);
  EXPECT_NE(message(std::string(129, 'k') + "=v").find("longer than 128"), std::string::npos);
  EXPECT_NE(message("k=" + std::string(257, 'v')).find("longer than 256"), std::string::npos);
  EXPECT_NE(message("k=a;b").find("a character tags cannot hold"), std::string::npos);
  EXPECT_NE(message("a=1,").find("'' is not key=value"), std::string::npos);
  std::string fifty_one;
  for (int i = 0; i < 51; ++i)
    fifty_one += (i ? "," : "") + std::string("k") + std::to_string(i) + "=v";
  EXPECT_NE(message(fifty_one).find("at most 50"), std::string::npos);
  // The limits are characters: 128 two-byte characters are a valid key.
  std::string key;
  for (int i = 0; i < 128; ++i) key += "\xC3\xA9";
  EXPECT_TRUE(parse_log_group_tags(key + "=v"));
}

TEST(KmsKeyId, AKeyArnInAnyPartitionIsAcceptedAndAnythingElseRefused) {
  for (const char* good :
       {"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "arn:aws-cn:kms:cn-north-1:123456789012:key/k",
        "arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/k"}) {
    EXPECT_TRUE(validate_kms_key_id(good)) << good;
  }
  for (const char* bad : {"1234abcd-12ab-34cd-56ef-1234567890ab", "alias/logs",
                          "arn:aws:kms:eu-west-1:123456789012:alias/logs",
                          "arn:aws:kms:eu-west-1:1234:key/k", "arn:aws:s3:::bucket", ""}) {
    const auto r = validate_kms_key_id(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_NE(r.error().message.find("is not a KMS key ARN"), std::string::npos);
  }
}

}  // namespace
}  // namespace cwp::cloudwatch
