#include "jobs/job_name.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cwp::jobs {
namespace {

using strings = std::vector<std::string>;

// --- derived_name ---

TEST(JobName, DerivedFromTheProgramWithoutDirectoryOrScriptExtension) {
  EXPECT_EQ(derived_name("/usr/local/bin/backup.sh --full /data"), "backup");
  EXPECT_EQ(derived_name("report.py"), "report");
  EXPECT_EQ(derived_name("/opt/tool.bin"), "tool-bin");  // not a script extension
}

TEST(JobName, TakesTheFirstPlainArgumentsUntilAnOptionOrPath) {
  EXPECT_EQ(derived_name("backup.sh daily"), "backup-daily");
  EXPECT_EQ(derived_name("aws s3 sync /data s3://bucket"), "aws-s3-sync");
  EXPECT_EQ(derived_name("backup.sh --full daily"), "backup");  // daily may be --full's value
  EXPECT_EQ(derived_name("app one two three four"), "app-one-two-three");
  EXPECT_EQ(derived_name("app $MODE"), "app");
}

TEST(JobName, IsSluggedToLowerCaseLettersDigitsAndDashes) {
  EXPECT_EQ(derived_name("Sync_Users.sh EU-West:1"), "sync-users-eu-west-1");
  EXPECT_EQ(derived_name("/usr/bin/caf\xc3\xa9 x"), "caf-x");
}

TEST(JobName, IsAtMostFortyCharactersCutBetweenParts) {
  const std::string name =
      derived_name("synchronise-customer-accounts with-the-billing-system now");
  EXPECT_EQ(name, "synchronise-customer-accounts-with-the");
  EXPECT_LE(name.size(), max_derived_name_length);
  EXPECT_EQ(derived_name(std::string(50, 'x')), std::string(40, 'x'));
}

TEST(JobName, ShellCommandsAreNamedAfterTheirFirstRealCommand) {
  EXPECT_EQ(derived_name("cd /app && php artisan schedule:run >> /dev/null 2>&1"),
            "artisan-schedule-run");
  EXPECT_EQ(derived_name("export X=1; backup.sh daily | logger -t backup"), "backup-daily");
  EXPECT_EQ(derived_name("LANG=C sort /data/x > /data/y"), "sort");
  EXPECT_EQ(derived_name("cd /app"), "cd");  // nothing but set-up: named after it
}

TEST(JobName, WrappersAreSkipped) {
  EXPECT_EQ(derived_name("nice -n 10 /app/backup.sh nightly"), "backup-nightly");
  EXPECT_EQ(derived_name("timeout 10m env A=1 /app/backup.sh"), "backup");
  EXPECT_EQ(derived_name("flock -n /tmp/lock /app/sync.sh"), "sync");
  EXPECT_EQ(derived_name("exec nohup report"), "report");
}

TEST(JobName, InterpretersAreNamedAfterTheirScript) {
  EXPECT_EQ(derived_name("python3 -u /app/jobs/cleanup.py --days 7"), "cleanup");
  EXPECT_EQ(derived_name("python3 -m app.jobs.cleanup"), "app-jobs-cleanup");
  EXPECT_EQ(derived_name("node dist/report.js weekly"), "report-weekly");
  EXPECT_EQ(derived_name("/bin/bash /app/rotate.sh"), "rotate");
  EXPECT_EQ(derived_name("sh -c 'cd /srv && ./deploy.sh prod'"), "deploy-prod");
  EXPECT_EQ(derived_name("python3"), "python3");
}

TEST(JobName, IsJobWhenNothingReadableIsLeft) {
  EXPECT_EQ(derived_name("$RUNNER"), "runner");
  EXPECT_EQ(derived_name("--- "), "job");
  EXPECT_EQ(derived_name(">/dev/null"), "job");
  EXPECT_EQ(derived_name(""), "job");
}

// --- name_problem ---

TEST(JobName, ChosenNamesAreOneToSixtyFourSafeCharacters) {
  EXPECT_EQ(name_problem("backup.daily_v2-eu"), "");
  EXPECT_EQ(name_problem(std::string(64, 'a')), "");
  EXPECT_EQ(name_problem(std::string(65, 'a')), "a job name must be 1 to 64 characters long");
  EXPECT_EQ(name_problem(""), "a job name must be 1 to 64 characters long");
  EXPECT_EQ(name_problem("back/up"),
            "job name 'back/up' contains '/'; use letters, digits and . _ -");
}

// --- stable_suffix ---

TEST(JobName, StableSuffixIsFnv1aOfTheText) {
  // Reference values of 32-bit FNV-1a: "" -> 811c9dc5, "a" -> e40c292c (low 24 bits kept).
  EXPECT_EQ(stable_suffix(""), "1c9dc5");
  EXPECT_EQ(stable_suffix("a"), "0c292c");
}

// --- assign_names ---

std::vector<name_request> requests(const std::vector<std::pair<std::string, std::string>>& jobs) {
  std::vector<name_request> out;
  for (const auto& [schedule, command] : jobs) {
    out.push_back({std::nullopt, command, schedule, out.size() + 1});
  }
  return out;
}

TEST(JobName, UniqueDerivedNamesNeedNoSuffix) {
  const auto names = assign_names(requests({{"@daily", "backup.sh"}, {"@hourly", "report"}}));
  ASSERT_TRUE(names);
  EXPECT_EQ(names->names, (strings{"backup", "report"}));
  EXPECT_TRUE(names->notes.empty());
}

TEST(JobName, JobsDerivingTheSameNameEachGetAHashOfTheirCommand) {
  const auto names = assign_names(requests({{"@daily", "/usr/local/bin/backup.sh --full /data"},
                                            {"@hourly", "backup.sh --incremental /data"}}));
  ASSERT_TRUE(names);
  EXPECT_EQ(names->names, (strings{"backup-fe8434", "backup-dc73cb"}));
  ASSERT_EQ(names->notes.size(), 1U);
  EXPECT_EQ(names->notes[0].line, 1U);
  EXPECT_EQ(names->notes[0].message,
            "the jobs on lines 1 and 2 all derive the name 'backup', so they are named "
            "backup-fe8434 (line 1), backup-dc73cb (line 2) after a hash of the command; choose "
            "names with '# cwp: name=...' above the jobs");
}

TEST(JobName, SuffixedNamesDoNotDependOnLineOrder) {
  const auto forward =
      assign_names(requests({{"@daily", "backup.sh a/b"}, {"@daily", "backup.sh c/d"}}));
  const auto backward =
      assign_names(requests({{"@daily", "backup.sh c/d"}, {"@daily", "backup.sh a/b"}}));
  ASSERT_TRUE(forward && backward);
  EXPECT_EQ(forward->names[0], backward->names[1]);
  EXPECT_EQ(forward->names[1], backward->names[0]);
}

TEST(JobName, EqualCommandsAreToldApartByTheirSchedule) {
  const auto names =
      assign_names(requests({{"0 * * * *", "backup.sh"}, {"30 2 * * *", "backup.sh"}}));
  ASSERT_TRUE(names);
  EXPECT_EQ(names->names[0], "backup-" + stable_suffix("0 * * * *\nbackup.sh"));
  EXPECT_EQ(names->names[1], "backup-" + stable_suffix("30 2 * * *\nbackup.sh"));
}

TEST(JobName, ARepeatedJobLineIsAnErrorNamingBothLines) {
  const auto names = assign_names(requests({{"@daily", "backup.sh"}, {"@daily", "backup.sh"}}));
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().line, 2U);
  EXPECT_EQ(names.error().message,
            "this job repeats line 1 (same schedule and command); remove one of them, or name "
            "both with '# cwp: name=...' if it should run twice");
}

TEST(JobName, AChosenNameKeepsItAndTheDerivedOneIsSuffixed) {
  auto jobs = requests({{"@daily", "cleanup --all"}, {"@hourly", "backup.sh"}});
  jobs[0].chosen = "backup";
  const auto names = assign_names(jobs);
  ASSERT_TRUE(names);
  EXPECT_EQ(names->names, (strings{"backup", "backup-" + stable_suffix("backup.sh")}));
  ASSERT_EQ(names->notes.size(), 1U);
  EXPECT_EQ(names->notes[0].line, 2U);
  EXPECT_NE(names->notes[0].message.find("the derived name 'backup' is taken by the job on line 1"),
            std::string::npos);
}

TEST(JobName, AChosenNameEqualToASuffixedOneIsAnError) {
  auto jobs =
      requests({{"@daily", "backup.sh /x"}, {"@daily", "other"}, {"@daily", "backup.sh /y"}});
  jobs[1].chosen = "backup-" + stable_suffix("backup.sh /x");
  const auto names = assign_names(jobs);
  ASSERT_FALSE(names);
  EXPECT_EQ(names.error().line, 2U);
  EXPECT_EQ(names.error().message,
            "the job name '" + *jobs[1].chosen +
                "' is already in use; choose another with '# cwp: name=...' above the job");
}

}  // namespace
}  // namespace cwp::jobs
