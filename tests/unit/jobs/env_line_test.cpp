#include "jobs/env_line.h"

#include <gtest/gtest.h>

#include <string>

namespace cwp::jobs {
namespace {

// "NAME|value" of an accepted line, else "column: message".
std::string env(std::string_view line) {
  const auto a = parse_env_line(line);
  if (!a) return std::to_string(a.error().column) + ": " + a.error().message;
  return a->name + "|" + a->value;
}

std::string check(std::string_view line) {
  const auto a = parse_env_line(line);
  if (!a) return "bad line";
  const auto c = check_cron_variable(*a);
  if (!c) return std::to_string(c.error().column) + ": error: " + c.error().message;
  return *c;
}

TEST(EnvLine, AnEnvLineIsAWordFollowedByEquals) {
  EXPECT_TRUE(is_env_line("FOO=bar"));
  EXPECT_TRUE(is_env_line("  FOO = bar"));
  EXPECT_TRUE(is_env_line("FOO="));
  EXPECT_FALSE(is_env_line("* * * * * FOO=bar cmd"));
  EXPECT_FALSE(is_env_line("@every 5m A=1 cmd"));
  EXPECT_FALSE(is_env_line("FOO bar=baz"));
  EXPECT_FALSE(is_env_line("=bar"));
}

TEST(EnvLine, BlanksAroundTheEqualsAndTheValueAreDropped) {
  EXPECT_EQ(env("FOO=bar"), "FOO|bar");
  EXPECT_EQ(env("  FOO  =  bar baz  "), "FOO|bar baz");
  EXPECT_EQ(env("FOO=\tbar\t"), "FOO|bar");
  EXPECT_EQ(env("EMPTY="), "EMPTY|");
  EXPECT_EQ(env("URL=http://x/?a=b"), "URL|http://x/?a=b");
}

TEST(EnvLine, QuotedValuesAreTakenLiterally) {
  EXPECT_EQ(env("FOO=\" a  b \""), "FOO| a  b ");
  EXPECT_EQ(env("FOO='$HOME'"), "FOO|$HOME");
  EXPECT_EQ(env("FOO=''"), "FOO|");
  EXPECT_EQ(env("FOO=\"it's\"  "), "FOO|it's");
  EXPECT_EQ(env("FOO=a\"b\""), "FOO|a\"b\"");  // quotes inside a value are kept
}

TEST(EnvLine, NothingIsExpanded) { EXPECT_EQ(env("PATH=$HOME/bin:$PATH"), "PATH|$HOME/bin:$PATH"); }

TEST(EnvLine, QuotedNamesAreUnquotedAsInVixieCron) { EXPECT_EQ(env("\"FOO\"=1"), "FOO|1"); }

TEST(EnvLine, BadNamesAndQuotesAreErrorsAtTheirColumn) {
  EXPECT_EQ(env("  9LIVES=1"),
            "3: '9LIVES' is not a variable name; use letters, digits and _, not starting with a "
            "digit");
  EXPECT_EQ(env("MY-VAR=1"),
            "1: 'MY-VAR' is not a variable name; use letters, digits and _, not starting with a "
            "digit");
  EXPECT_EQ(env("FOO = \"open"),
            "7: the quote that opens the value of FOO is not closed; close it, or remove it");
  EXPECT_EQ(env("FOO='a' b"),
            "8: text after the closing quote of FOO's value; put all of the value inside the "
            "quotes");
}

TEST(EnvLine, ShellMustBeAnAbsolutePath) {
  EXPECT_EQ(check("SHELL=/bin/bash"), "");
  EXPECT_EQ(check("SHELL = bash"),
            "9: error: SHELL must be an absolute path such as /bin/sh, not 'bash'");
  EXPECT_EQ(check("SHELL="), "7: error: SHELL must be an absolute path such as /bin/sh, not ''");
}

TEST(EnvLine, CronTzOtherThanUtcIsAnError) {
  EXPECT_EQ(check("CRON_TZ=Europe/Paris"),
            "9: error: CRON_TZ=Europe/Paris: schedules are evaluated in UTC and cannot take a "
            "time zone; write the times in UTC and remove this line");
  EXPECT_EQ(check("CRON_TZ=UTC"), "");
  EXPECT_EQ(check("CRON_TZ=Etc/UTC"), "");
}

TEST(EnvLine, TzMailAndUserAreWarnings) {
  EXPECT_EQ(check("TZ=America/New_York"),
            "TZ=America/New_York is passed to the jobs, but schedules stay in UTC; write the "
            "times in UTC");
  EXPECT_EQ(check("TZ=:UTC"), "");
  EXPECT_EQ(check("MAILTO=ops@example.com"),
            "MAILTO is passed to the jobs but sends no mail: job output and results go to "
            "CloudWatch Logs");
  EXPECT_EQ(check("MAILTO=\"\""), "");  // the usual way to turn mail off: nothing to warn about
  EXPECT_EQ(check("RANDOM_DELAY=10"),
            "RANDOM_DELAY is passed to the jobs but does not delay them: jobs start on time");
  EXPECT_EQ(check("USER=app"),
            "USER is passed to the jobs, but they run as cloudwatch-publisher's own user");
  EXPECT_EQ(check("HOME=/srv"), "");
}

}  // namespace
}  // namespace cwp::jobs
