#include "jobs/crontab.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "jobs/job_name.h"

namespace cwp::jobs {
namespace {

using namespace std::chrono_literals;
using namespace std::string_view_literals;
using strings = std::vector<std::string>;
using environment = std::vector<std::pair<std::string, std::string>>;

// The image with /bin/sh and /bin/bash, and the scratch image without any shell.
parse_options with_shell() {
  parse_options o;
  o.shell_exists = [](const std::string& p) { return p == "/bin/sh" || p == "/bin/bash"; };
  return o;
}

parse_options without_shell() {
  parse_options o;
  o.shell_exists = [](const std::string&) { return false; };
  return o;
}

crontab parse(std::string_view text, const parse_options& o = with_shell()) {
  auto c = parse_crontab(text, "/etc/crontab", o);
  EXPECT_TRUE(c) << (c ? "" : c.error().message);
  return c ? *c : crontab{};
}

std::string error(std::string_view text, const parse_options& o = with_shell()) {
  const auto c = parse_crontab(text, "/etc/crontab", o);
  if (c) return "parsed";
  EXPECT_EQ(c.error().code, core::errc::invalid_argument);
  return c.error().message;
}

// For long messages whose tail other tests check word for word.
testing::AssertionResult starts_with(const std::string& text, std::string_view prefix) {
  if (text.starts_with(prefix)) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "'" << text << "' does not start with '" << prefix << "'";
}

strings commands(const crontab& c) {
  strings out;
  for (const auto& j : c.jobs) out.push_back(j.command);
  return out;
}

// --- lines ---

TEST(Crontab, AnEmptyFileHasNoJobs) {
  EXPECT_TRUE(parse("").jobs.empty());
  EXPECT_TRUE(parse("\n\n").jobs.empty());
}

TEST(Crontab, BlankLinesAndCommentsAreIgnored) {
  const crontab c =
      parse("# * * * * * commented\n\n  # indented\n\t\n\t# tab\n  \t */2 * * * * run\n");
  EXPECT_EQ(commands(c), strings{"run"});
  EXPECT_EQ(c.jobs[0].line, 6U);
}

TEST(Crontab, AHashInsideACommandIsPassedToTheShell) {
  EXPECT_EQ(commands(parse("* * * * * foo some # qux")), strings{"foo some # qux"});
}

TEST(Crontab, TheLastLineNeedsNoNewline) {
  EXPECT_EQ(commands(parse("@daily a\n@hourly b")), (strings{"a", "b"}));
}

TEST(Crontab, CrlfLineEndingsAreAccepted) {
  const crontab c = parse("FOO=bar\r\n@daily run it\r\n");
  EXPECT_EQ(commands(c), strings{"run it"});
  EXPECT_EQ(c.jobs[0].environment, (environment{{"FOO", "bar"}}));
}

TEST(Crontab, AByteOrderMarkIsIgnored) {
  EXPECT_EQ(commands(parse("\xEF\xBB\xBF@daily run")), strings{"run"});
}

TEST(Crontab, ATrailingBackslashDoesNotContinueTheLine) {
  EXPECT_EQ(commands(parse("@daily echo a \\\n@hourly b\n")), (strings{"echo a \\", "b"}));
}

TEST(Crontab, PercentSignsArePassedToTheShellUnchanged) {
  // supercronic's rule, not Vixie cron's (which turns % into newlines and stdin).
  EXPECT_EQ(commands(parse("@daily date +%Y-%m-%d > /tmp/d\\%")),
            strings{"date +%Y-%m-%d > /tmp/d\\%"});
}

TEST(Crontab, VeryLongLinesAreAccepted) {
  const std::string command = "/app/run " + std::string(100'000, 'a');
  EXPECT_EQ(parse("@daily " + command).jobs.at(0).command, command);
}

TEST(Crontab, AFileOverOneMebibyteIsAnError) {
  EXPECT_EQ(error(std::string(max_crontab_bytes, '\n')), "parsed");
  EXPECT_EQ(error(std::string(max_crontab_bytes + 1, '\n')),
            "/etc/crontab: the file is larger than 1 MiB, which no crontab is; check that the "
            "setting names the crontab");
}

TEST(Crontab, AControlCharacterIsAnErrorNamingItsColumn) {
  EXPECT_EQ(error("@daily run\n@daily a\0b\n"sv),
            "/etc/crontab:2:9: control character 0x00 in the line; a crontab is text: remove it");
  EXPECT_EQ(error("@daily a\rb"),
            "/etc/crontab:1:9: control character 0x0D in the line; a crontab is text: remove it");
}

TEST(Crontab, MoreThanAThousandJobsIsAnError) {
  std::string text;
  for (std::size_t i = 0; i < max_jobs; ++i) text += "@daily job" + std::to_string(i) + "\n";
  EXPECT_EQ(parse(text).jobs.size(), max_jobs);
  EXPECT_EQ(error(text + "@daily one-more\n"),
            "/etc/crontab:1001:1: more than 1000 jobs; split them across several crontabs and "
            "containers");
}

TEST(Crontab, VariablesAddingUpToMoreThanSixteenKibibytesAreAnError) {
  // Each line is "Vn=" + value: name, '=', value and the NUL count.
  const std::string value(16 * 1024 - 4, 'x');
  EXPECT_EQ(parse("V=" + value + "\n@daily run\nV=" + value + "\n").jobs.size(), 1U);
  EXPECT_EQ(error("V=" + value + "\nW=\n"),
            "/etc/crontab:2:1: the crontab's variables add up to more than 16 KiB; pass large "
            "values to the jobs another way (a file, the container's environment)");
}

// --- schedules ---

TEST(Crontab, SchedulesAreFiveFieldsDescriptorsOrEvery) {
  const crontab c = parse("*/15 0 1,15 * 1-5 a\n@hourly b\n@every 30s c\n");
  ASSERT_EQ(c.jobs.size(), 3U);
  EXPECT_EQ(c.jobs[0].schedule.text(), "*/15 0 1,15 * 1-5");
  EXPECT_EQ(c.jobs[1].schedule.text(), "@hourly");
  EXPECT_EQ(c.jobs[2].schedule.min_interval(), 30s);
}

TEST(Crontab, AnErrorNamesTheFileLineAndColumn) {
  EXPECT_EQ(error("# nightly\n0 3 * * * backup\n0 24 * * * late\n"),
            "/etc/crontab:3:3: hour field '24' is out of range 0-23");
}

TEST(Crontab, RebootIsAnError) {
  EXPECT_TRUE(starts_with(error("\n  @reboot run"),
                          "/etc/crontab:2:3: @reboot is not supported: there is no boot"));
}

TEST(Crontab, SixAndSevenFieldExpressionsAreErrorsNamingTheColumn) {
  EXPECT_TRUE(starts_with(error("* * * * * * with-year"),
                          "/etc/crontab:1:11: '*' reads as a sixth schedule field"));
  EXPECT_TRUE(starts_with(error("0 * * * * * 2030 with-both"),
                          "/etc/crontab:1:11: '*' reads as a sixth schedule field"));
}

// --- environment ---

TEST(Crontab, EnvironmentLinesApplyToTheJobsBelowThem) {
  const crontab c = parse("@daily a\nFOO=1\n@daily b\nBAR = \"x y\"\nFOO=2\n@daily c\n");
  ASSERT_EQ(c.jobs.size(), 3U);
  EXPECT_EQ(c.jobs[0].environment, environment{});
  EXPECT_EQ(c.jobs[1].environment, (environment{{"FOO", "1"}}));
  EXPECT_EQ(c.jobs[2].environment, (environment{{"FOO", "2"}, {"BAR", "x y"}}));
}

TEST(Crontab, ShellLinesChangeTheShellOfTheJobsBelowThem) {
  const crontab c = parse("@daily a\nSHELL=/bin/bash\n@daily b\n");
  EXPECT_EQ(c.jobs[0].shell, "/bin/sh");
  EXPECT_EQ(c.jobs[1].shell, "/bin/bash");
  EXPECT_EQ(c.jobs[1].environment, (environment{{"SHELL", "/bin/bash"}}));
}

TEST(Crontab, CronOnlyVariablesAreAcceptedWithAWarning) {
  const crontab c = parse("MAILTO=ops@example.com\nTZ=Europe/Berlin\n@daily run\n");
  EXPECT_EQ(c.jobs.at(0).environment,
            (environment{{"MAILTO", "ops@example.com"}, {"TZ", "Europe/Berlin"}}));
  ASSERT_EQ(c.warnings.size(), 2U);
  EXPECT_TRUE(starts_with(c.warnings[0],
                          "/etc/crontab:1:1: MAILTO is passed to the jobs but sends no mail"));
  EXPECT_TRUE(starts_with(
      c.warnings[1],
      "/etc/crontab:2:1: TZ=Europe/Berlin is passed to the jobs, but schedules stay in UTC"));
}

TEST(Crontab, CronTzIsAnErrorUnlessUtc) {
  EXPECT_TRUE(starts_with(error("CRON_TZ=Asia/Tokyo\n@daily run"),
                          "/etc/crontab:1:9: CRON_TZ=Asia/Tokyo: schedules are evaluated in UTC"));
  EXPECT_EQ(parse("CRON_TZ=UTC\n@daily run").warnings, strings{});
}

TEST(Crontab, BadEnvironmentLinesAreErrors) {
  EXPECT_EQ(error("FOO=\"x\n"),
            "/etc/crontab:1:5: the quote that opens the value of FOO is not closed; close it, "
            "or remove it");
  EXPECT_EQ(error("SHELL=sh\n"),
            "/etc/crontab:1:7: SHELL must be an absolute path such as /bin/sh, not 'sh'");
}

// --- option lines ---

TEST(Crontab, JobsWithoutOptionsTakeTheDefaults) {
  parse_options o = with_shell();
  o.default_timeout = 1h;
  o.default_max_output_bytes = 4096;
  const job_spec j = parse("@daily run", o).jobs.at(0);
  EXPECT_EQ(j.timeout, 1h);
  EXPECT_EQ(j.kill_grace, 10s);
  EXPECT_EQ(j.overlap, overlap_policy::skip);
  EXPECT_FALSE(j.stream);
  EXPECT_EQ(j.max_output_bytes, 4096U);
  EXPECT_FALSE(parse("@daily run").jobs.at(0).timeout);
}

TEST(Crontab, OptionLineAppliesToTheNextJobOnly) {
  const crontab c = parse(
      "# cwp: name=nightly timeout=10m kill_grace=1s overlap=allow max_output=1k\n"
      "0 3 * * * backup\n"
      "0 4 * * * report\n");
  ASSERT_EQ(c.jobs.size(), 2U);
  EXPECT_EQ(c.jobs[0].name, "nightly");
  EXPECT_EQ(c.jobs[0].timeout, 10min);
  EXPECT_EQ(c.jobs[0].kill_grace, 1s);
  EXPECT_EQ(c.jobs[0].overlap, overlap_policy::allow);
  EXPECT_EQ(c.jobs[0].max_output_bytes, 1024U);
  EXPECT_EQ(c.jobs[1].name, "report");
  EXPECT_FALSE(c.jobs[1].timeout);
  EXPECT_EQ(c.jobs[1].overlap, overlap_policy::skip);
}

TEST(Crontab, ConsecutiveOptionLinesCombine) {
  const job_spec j = parse("  #cwp: name=a\n# cwp:   overlap=replace\n@daily run").jobs.at(0);
  EXPECT_EQ(j.name, "a");
  EXPECT_EQ(j.overlap, overlap_policy::replace);
}

TEST(Crontab, AnOptionLineMustBeDirectlyAboveAJob) {
  const std::string tail = "); move it above the job it is for, or remove it";
  EXPECT_EQ(error("# cwp: name=a\n\n@daily run"),
            "/etc/crontab:1:1: this option line is not directly above a job line (line 2 is "
            "blank" +
                tail);
  EXPECT_EQ(error("# cwp: name=a\n# backup\n@daily run"),
            "/etc/crontab:1:1: this option line is not directly above a job line (line 2 is a "
            "comment" +
                tail);
  EXPECT_EQ(error("x=1\n# cwp: name=a\nFOO=1\n@daily run"),
            "/etc/crontab:2:1: this option line is not directly above a job line (line 3 sets a "
            "variable" +
                tail);
  EXPECT_EQ(error("@daily run\n# cwp: name=a\n"),
            "/etc/crontab:2:1: this option line is not directly above a job line (the file "
            "ends" +
                tail);
}

TEST(Crontab, OptionErrorsPointAtTheKey) {
  EXPECT_EQ(error("@daily a\n# cwp: name=a tmeout=5m\n@daily b"),
            "/etc/crontab:2:15: unknown job option 'tmeout'; did you mean 'timeout'?");
}

TEST(Crontab, ChosenNamesMustBeUnique) {
  EXPECT_EQ(error("# cwp: name=a\n@daily x\n# cwp: timeout=1s  name=a\n@daily y"),
            "/etc/crontab:3:20: the job name 'a' is already used on line 1; job names must be "
            "unique");
}

TEST(Crontab, AMisspeltOptionLineIsAnError) {
  const std::string message =
      ": this comment looks like a job option line; write those as '# cwp: key=value ...', in "
      "lower case with the colon";
  EXPECT_EQ(error("# CWP: name=a\n@daily run"), "/etc/crontab:1:1" + message);
  EXPECT_EQ(error("  # cwp name=a\n@daily run"), "/etc/crontab:1:3" + message);
  EXPECT_EQ(parse("# cwp is our publisher\n@daily run").jobs.size(), 1U);
}

TEST(Crontab, StreamOptionNamesTheJob) {
  const crontab c = parse("# cwp: stream=jobs/{job}/{date}\n@daily /app/backup.sh\n");
  ASSERT_TRUE(c.jobs.at(0).stream);
  EXPECT_EQ(c.jobs[0].stream->text(), "jobs/backup/{date}");
}

// --- names ---

TEST(Crontab, JobsAreNamedAfterTheirCommandUnlessNamed) {
  const crontab c = parse("@daily /usr/local/bin/backup.sh --full /data\n@hourly report daily\n");
  EXPECT_EQ(c.jobs.at(0).name, "backup");
  EXPECT_EQ(c.jobs.at(1).name, "report-daily");
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Crontab, JobsDerivingTheSameNameAreSuffixedWithAWarning) {
  const crontab c = parse("@daily backup.sh /a\n# cwp: name=other\n@daily x\n@hourly backup.sh /b");
  EXPECT_EQ(c.jobs.at(0).name, "backup-" + stable_suffix("backup.sh /a"));
  EXPECT_EQ(c.jobs.at(2).name, "backup-" + stable_suffix("backup.sh /b"));
  ASSERT_EQ(c.warnings.size(), 1U);
  EXPECT_TRUE(starts_with(c.warnings[0],
                          "/etc/crontab:1:1: the jobs on lines 1 and 4 all derive the name "
                          "'backup'"));
}

TEST(Crontab, ARepeatedJobIsAnError) {
  EXPECT_TRUE(starts_with(error("@daily run\n\n@daily  run"),
                          "/etc/crontab:3:1: this job repeats line 1 (same schedule and command)"));
}

// --- shell or direct ---

TEST(Crontab, WithAShellEveryCommandRunsThroughIt) {
  const job_spec j = parse("@daily /app/run --x").jobs.at(0);
  EXPECT_FALSE(j.argv);
  EXPECT_EQ(j.shell, "/bin/sh");
}

TEST(Crontab, WithoutAShellAPlainCommandIsExecutedDirectly) {
  const job_spec j = parse("@daily   /app/run  --level=3\tdaily ", without_shell()).jobs.at(0);
  ASSERT_TRUE(j.argv);
  EXPECT_EQ(*j.argv, (strings{"/app/run", "--level=3", "daily"}));
}

TEST(Crontab, ShellSyntaxWithoutAShellIsAnErrorNamingLineAndColumn) {
  EXPECT_EQ(error("# backup\n0 3 * * * /app/backup >> /var/log/backup.log", without_shell()),
            "/etc/crontab:2:23: the command uses '>' (a redirection), which needs a shell, but "
            "/bin/sh does not exist here; run the jobs in an image that has a shell, or write the "
            "command as a program with plain arguments (docs/jobs.md shows both)");
}

TEST(Crontab, AMissingShellSetByShellIsNamedInTheError) {
  EXPECT_TRUE(starts_with(
      error("SHELL=/bin/zsh\n@daily a|b", with_shell()),
      "/etc/crontab:2:9: the command uses '|' (a pipe), which needs a shell, but /bin/zsh "
      "does not exist"));
  const auto c = parse("SHELL=/bin/zsh\n@daily /app/run", with_shell());
  EXPECT_EQ(c.jobs.at(0).argv, strings{"/app/run"});
}

TEST(Crontab, NoShellExistsWhenTheProbeIsUnset) {
  EXPECT_EQ(parse("@daily /app/run", parse_options{}).jobs.at(0).argv, strings{"/app/run"});
}

TEST(Crontab, EachShellIsProbedOnce) {
  parse_options o;
  strings probed;
  o.shell_exists = [&](const std::string& p) {
    probed.push_back(p);
    return true;
  };
  parse("@daily a\n@daily b\nSHELL=/bin/bash\n@daily c\n@daily d\n", o);
  EXPECT_EQ(probed, (strings{"/bin/sh", "/bin/bash"}));
}

// --- a real crontab ---

TEST(Crontab, ASupercronicCrontabParsesUnchanged) {
  const crontab c = parse(R"cron(# Crontab for the app container (supercronic)
SHELL=/bin/bash
PATH=/usr/local/bin:/usr/bin:/bin
MAILTO=""

# Run every minute
*/1 * * * * /app/scripts/publish-log.sh >> /proc/1/fd/1 2>&1

# Hourly cleanup of temp files older than a day
@hourly find /tmp -type f -mtime +1 -delete

  */5  *  *  *  *   curl -fsS --retry 3 "https://hc-ping.example.com/$(hostname)" > /dev/null
0 2 * * SUN  cd /app && php artisan backup:run --only-db
30 4 1 * *   python3 /app/jobs/monthly_report.py --email "ops@example.com"
@every 30s echo "still alive: $(date +%s)"
)cron");
  ASSERT_EQ(c.jobs.size(), 6U);
  EXPECT_TRUE(c.warnings.empty());
  strings names;
  for (const auto& j : c.jobs) {
    names.push_back(j.name);
    EXPECT_EQ(j.shell, "/bin/bash");
    EXPECT_FALSE(j.argv);
    EXPECT_EQ(j.environment, (environment{{"SHELL", "/bin/bash"},
                                          {"PATH", "/usr/local/bin:/usr/bin:/bin"},
                                          {"MAILTO", ""}}));
  }
  EXPECT_EQ(names, (strings{"publish-log", "find", "curl", "artisan-backup-run", "monthly-report",
                            "echo"}));
  EXPECT_EQ(c.jobs[2].line, 12U);
  EXPECT_EQ(c.jobs[2].command,
            R"cmd(curl -fsS --retry 3 "https://hc-ping.example.com/$(hostname)" > /dev/null)cmd");
  EXPECT_EQ(c.jobs[3].schedule.text(), "0 2 * * SUN");
}

}  // namespace
}  // namespace cwp::jobs
