// `check`'s report rendered for a person (text, colour, the warn mark) and for a pipeline
// (JSON), and the helpers its hints use. The checks themselves: check_test.cpp.
#include "commands/check_report.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "commands/check_hints.h"

namespace cwp::commands {
namespace {

using daemon::exit_code;

TEST(CheckRendering, TextIsOneLinePerCheckWithHintsAndASummary) {
  check_report r;
  r.checks = {{"region", check_status::pass, "eu-west-1 (AWS_REGION)", ""},
              {"caller identity", check_status::fail, "GetCallerIdentity failed", "fix it"},
              {"log group", check_status::skip, "not checked: no identity", ""}};
  r.code = exit_code::credentials_rejected;
  EXPECT_EQ(render_text(r, false),
            "\u2714 region: eu-west-1 (AWS_REGION)\n"
            "\u2718 caller identity: GetCallerIdentity failed\n"
            "    hint: fix it\n"
            "- log group: not checked: no identity\n"
            "result: publishing would fail (1 of 3 checks failed)\n");
}

TEST(CheckRendering, ColourOnlyWhenAskedAndNotesOnPassingChecks) {
  check_report r;
  r.checks = {{"write access", check_status::pass, "not tested", "add --write"},
              {"clock skew", check_status::fail, "10 min", "sync"}};
  r.code = exit_code::failed;
  EXPECT_EQ(render_text(r, false).find('\x1b'), std::string::npos);
  const std::string coloured = render_text(r, true);
  EXPECT_NE(coloured.find("\x1b[32m\u2714\x1b[0m write access"), std::string::npos) << coloured;
  EXPECT_NE(coloured.find("\x1b[31m\u2718\x1b[0m clock skew"), std::string::npos) << coloured;
  EXPECT_NE(coloured.find("    note: add --write\n"), std::string::npos);
}

TEST(CheckRendering, JsonHasTheVerdictFactsAndEveryCheck) {
  check_report r;
  r.checks = {{"region", check_status::pass, "eu-west-1 (AWS_REGION)", ""},
              {"caller identity", check_status::fail, "denied", "fix it"}};
  r.facts = {logging::kv("region", "eu-west-1"), logging::kv("clock_offset_ms", 500LL)};
  r.code = exit_code::credentials_rejected;
  const auto j = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["exit_code"], 3);
  EXPECT_EQ(j["write"], false);
  EXPECT_EQ(j["facts"]["region"], "eu-west-1");
  EXPECT_EQ(j["facts"]["clock_offset_ms"], 500);
  ASSERT_EQ(j["checks"].size(), 2U);
  EXPECT_EQ(j["checks"][0]["status"], "pass");
  EXPECT_EQ(j["checks"][0]["ok"], true);
  EXPECT_TRUE(j["checks"][0]["hint"].is_null());
  EXPECT_EQ(j["checks"][1]["status"], "fail");
  EXPECT_EQ(j["checks"][1]["hint"], "fix it");
  EXPECT_EQ(render_json(r).find('\x1b'), std::string::npos);
}

TEST(CheckHelpers, MasksAllButTheLastFourCharactersOfTheKeyId) {
  EXPECT_EQ(mask_access_key("AKIAIOSFODNN7EXAMPLE"), "****MPLE");
  EXPECT_EQ(mask_access_key("short"), "****");
}

TEST(CheckHelpers, LogGroupArnCoversTheGroupAndItsStreams) {
  EXPECT_EQ(log_group_arn("aws-cn", "cn-north-1", "123456789012", "/g"),
            "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/g:*");
}

TEST(CheckRendering, AWarningIsMarkedWithItsHintAndCountsAsOk) {
  check_report r;
  r.checks = {{"log group", check_status::warn, "/g exists (class INFREQUENT_ACCESS)", "no EMF"}};
  EXPECT_EQ(render_text(r, false),
            "\u26A0 log group: /g exists (class INFREQUENT_ACCESS)\n"
            "    hint: no EMF\n"
            "result: no problem found (write access not tested: add --write)\n");
  const auto j = nlohmann::json::parse(render_json(r));
  EXPECT_EQ(j["checks"][0]["status"], "warn");
  EXPECT_EQ(j["checks"][0]["ok"], true);
  EXPECT_EQ(j["ok"], true);
}

}  // namespace
}  // namespace cwp::commands
