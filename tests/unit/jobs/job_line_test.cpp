#include "jobs/job_line.h"

#include <gtest/gtest.h>

#include <string>

namespace cwp::jobs {
namespace {

// "schedule|command|command column", or "column: message".
std::string split(std::string_view line) {
  const auto j = parse_job_line(line);
  if (!j) return std::to_string(j.error().column) + ": " + j.error().message;
  return j->schedule.text() + "|" + j->command + "|" + std::to_string(j->command_column);
}

TEST(JobLine, FiveFieldsThenTheCommand) {
  EXPECT_EQ(split("*/5 * * * * /app/run --x"), "*/5 * * * *|/app/run --x|13");
  EXPECT_EQ(split("  0\t3  * * MON-FRI\t  backup  daily  "), "0\t3  * * MON-FRI|backup  daily|22");
}

TEST(JobLine, TheCommandKeepsItsInnerBlanksAndQuotes) {
  EXPECT_EQ(split("* * * * * echo \" whitespaces   preservation    \""),
            "* * * * *|echo \" whitespaces   preservation    \"|11");
}

TEST(JobLine, DescriptorsAreOneWordAndEveryTwo) {
  EXPECT_EQ(split("@hourly a b c d e f"), "@hourly|a b c d e f|9");
  EXPECT_EQ(split("@DAILY run"), "@DAILY|run|8");
  EXPECT_EQ(split("@every 1h30m run now"), "@every 1h30m|run now|14");
}

TEST(JobLine, AMissingCommandIsAnError) {
  EXPECT_EQ(split("*/5 * * * *  "),
            "14: the schedule '*/5 * * * *' has no command after it; add the command to run");
  EXPECT_EQ(split("@daily"),
            "7: the schedule '@daily' has no command after it; add the command "
            "to run");
  EXPECT_EQ(split("@every"),
            "7: @every needs a duration and a command, such as '@every 30s /app/check'");
  EXPECT_EQ(split("@every 30s"),
            "11: the schedule '@every 30s' has no command after it; add the command to run");
  EXPECT_EQ(split("* * cmd"),
            "8: a job line needs 5 schedule fields (minute hour day-of-month month "
            "day-of-week) and a command; this one has 3 words");
}

TEST(JobLine, ABadFieldIsReportedAtItsColumn) {
  EXPECT_EQ(split("0 25 * * * run"), "3: hour field '25' is out of range 0-23");
  EXPECT_EQ(split("0 0 * FOO * run"),
            "7: month field 'FOO' is not a number or a month name (JAN-DEC)");
  EXPECT_EQ(split("61 0 * * * run"), "1: minute field '61' is out of range 0-59");
  EXPECT_EQ(split("0 0 * * 1-9 run"), "9: day-of-week field '1-9': '9' is out of range 0-7");
}

TEST(JobLine, AnImpossibleDateIsReportedAtTheSchedule) {
  EXPECT_EQ(split(" 0 0 30 2 * run"),
            "2: '0 0 30 2 *' never fires: day-of-month '30' does not occur in month '2'");
}

TEST(JobLine, BadDescriptorsAreReportedAtTheirColumn) {
  EXPECT_EQ(split("@fortnightly run"),
            "1: unknown descriptor '@fortnightly'; use @hourly, @daily, @midnight, @weekly, "
            "@monthly, @yearly, @annually or @every <duration>");
  EXPECT_EQ(split("@every 30 run"),
            "8: @every '30' is not a duration; write a number with a unit (h, m, s, ms) such as "
            "30s, 5m or 1h30m");
}

TEST(JobLine, RebootIsAnErrorThatSaysWhatToDoInstead) {
  EXPECT_EQ(split("@reboot /app/warmup"),
            "1: @reboot is not supported: there is no boot, and a restarted container would run "
            "it again; run the command before cloudwatch-publisher starts (in the entrypoint), "
            "or schedule it");
}

TEST(JobLine, SecondsAndYearFieldsAreErrorsAtTheExtraField) {
  const std::string message =
      "reads as a sixth schedule field (seconds or a year), which is not supported; write 5 "
      "fields (minute hour day-of-month month day-of-week), and use @every <duration> for "
      "intervals under a minute";
  EXPECT_EQ(split("*/10 * * * * * /app/poll"), "14: '*' " + message);       // seconds
  EXPECT_EQ(split("0 12 * * * 2030 /app/once"), "12: '2030' " + message);   // year
  EXPECT_EQ(split("0 0 12 * * * 2030 /app/both"), "12: '*' " + message);    // both
  EXPECT_EQ(split("0 12 * * * 7zip a x.7z"), "0 12 * * *|7zip a x.7z|12");  // a program
}

TEST(JobLine, ASystemCrontabUserFieldIsAnError) {
  EXPECT_EQ(split("17 * * * * root cd / && run-parts /etc/cron.hourly"),
            "12: 'root' reads as the user field of a system crontab (/etc/crontab); jobs run as "
            "cloudwatch-publisher's own user, so remove the user field");
  EXPECT_EQ(split("17 * * * * rootkit-scan"), "17 * * * *|rootkit-scan|12");
}

TEST(JobLine, ACommandLongerThanExecveTakesIsAnError) {
  const std::string longest(max_command_bytes, 'x');
  EXPECT_EQ(parse_job_line("@daily " + longest).value().command.size(), max_command_bytes);
  EXPECT_EQ(split("@daily " + longest + "x"),
            "8: the command is 131072 bytes long; the limit is 131071 (execve's maximum "
            "argument); put it in a script");
}

}  // namespace
}  // namespace cwp::jobs
