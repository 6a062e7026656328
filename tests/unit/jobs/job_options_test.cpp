#include "jobs/job_options.h"

#include <gtest/gtest.h>

#include <string>

namespace cwp::jobs {
namespace {

using namespace std::chrono_literals;

job_options parse(std::string_view text) {
  job_options o;
  const auto ok = parse_option_text(text, 1, o);
  EXPECT_TRUE(ok) << (ok ? "" : ok.error().message);
  return o;
}

// "column: message" of a rejected option text that starts at column 1.
std::string error(std::string_view text) {
  job_options o;
  const auto ok = parse_option_text(text, 1, o);
  if (ok) return "accepted";
  return std::to_string(ok.error().column) + ": " + ok.error().message;
}

TEST(JobOptions, EveryKeyIsReadFromOneLine) {
  const job_options o = parse(
      " name=backup timeout=10m kill_grace=30s overlap=replace stream=jobs/{job} "
      "max_output=1MiB");
  EXPECT_EQ(o.name, "backup");
  EXPECT_EQ(o.name_column, 2U);
  EXPECT_EQ(o.timeout, 10min);
  EXPECT_EQ(o.kill_grace, 30s);
  EXPECT_EQ(o.overlap, overlap_policy::replace);
  EXPECT_EQ(o.stream, "jobs/{job}");
  EXPECT_EQ(o.max_output_bytes, 1U << 20U);
}

TEST(JobOptions, UnsetKeysStayUnset) {
  const job_options o = parse("overlap=allow");
  EXPECT_EQ(o.overlap, overlap_policy::allow);
  EXPECT_FALSE(o.name || o.timeout || o.kill_grace || o.stream || o.max_output_bytes);
}

TEST(JobOptions, OptionsAccumulateOverSeveralLines) {
  job_options o;
  ASSERT_TRUE(parse_option_text("name=a", 1, o));
  ASSERT_TRUE(parse_option_text("overlap=skip", 1, o));
  EXPECT_EQ(o.name, "a");
  EXPECT_EQ(o.overlap, overlap_policy::skip);
  const auto again = parse_option_text("  name=b", 7, o);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().column, 9U);
  EXPECT_EQ(again.error().message, "job option 'name' is set twice for this job; keep one of them");
}

TEST(JobOptions, ErrorColumnsCountFromWhereTheTextStarts) {
  job_options o;
  const auto bad = parse_option_text(" timeout=soon", 7, o);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().column, 16U);  // the value: 7 + 1 blank + "timeout="
}

TEST(JobOptions, UnknownKeysAreErrorsWithADidYouMean) {
  EXPECT_EQ(error("timout=5m"), "1: unknown job option 'timout'; did you mean 'timeout'?");
  EXPECT_EQ(error("x=1 grace=5s"),
            "1: unknown job option 'x'; known keys are name, timeout, "
            "kill_grace, overlap, stream, max_output");
  EXPECT_EQ(error("grace=5s"), "1: unknown job option 'grace'; did you mean 'kill_grace'?");
  EXPECT_EQ(error("max_output_bytes=1k"),
            "1: unknown job option 'max_output_bytes'; did you mean 'max_output'?");
  EXPECT_EQ(error("Name=x"), "1: unknown job option 'Name'; did you mean 'name'?");
}

TEST(JobOptions, MalformedPairsAreErrors) {
  EXPECT_EQ(error("name"), "1: expected key=value, found 'name' (values cannot contain blanks)");
  EXPECT_EQ(error("=x"), "1: expected key=value, found '=x' (values cannot contain blanks)");
  EXPECT_EQ(error("name= backup"), "6: job option 'name' has no value");
  EXPECT_EQ(error("   "),
            "1: an option line needs at least one key=value, such as '# cwp: name=backup "
            "timeout=10m'");
}

TEST(JobOptions, NamesFollowTheJobNameRule) {
  EXPECT_EQ(error("name=back/up"),
            "6: job name 'back/up' contains '/'; use letters, digits and . _ -");
  EXPECT_EQ(error("name=" + std::string(65, 'x')), "6: a job name must be 1 to 64 characters long");
}

TEST(JobOptions, DurationsUseTheSettingsNotation) {
  EXPECT_EQ(parse("timeout=1h30m").timeout, 90min);
  EXPECT_EQ(parse("kill_grace=0").kill_grace, 0ms);  // SIGKILL right after SIGTERM
  EXPECT_EQ(error("timeout=0"), "9: timeout must be longer than 0; leave it out for no time limit");
  EXPECT_EQ(error("kill_grace=10"),
            "12: kill_grace: '10' is not a duration; write a number with a unit (h, m, s, ms) "
            "such as 30s, 5m or 1h30m");
}

TEST(JobOptions, OverlapIsSkipAllowOrReplace) {
  EXPECT_EQ(parse("overlap=skip").overlap, overlap_policy::skip);
  EXPECT_EQ(error("overlap=queue"), "9: overlap 'queue' is not skip, allow or replace");
}

TEST(JobOptions, StreamIsAValidatedTemplateThatMayNameTheJob) {
  EXPECT_EQ(parse("stream={job}-{date}").stream, "{job}-{date}");
  EXPECT_EQ(error("stream=a:b"), "8: stream name template 'a:b' must not contain ':' or '*'");
  EXPECT_EQ(error("stream={user}"),
            "8: stream name template '{user}' uses unknown {user}; known are {date}, {hostname}, "
            "{instance_id}, {job}");
}

TEST(JobOptions, MaxOutputIsAByteSize) {
  EXPECT_EQ(parse("max_output=65536").max_output_bytes, 65536U);
  EXPECT_EQ(parse("max_output=64k").max_output_bytes, 65536U);
  EXPECT_EQ(parse("max_output=2GiB").max_output_bytes, 2ULL << 30U);
  EXPECT_EQ(error("max_output=0"), "12: max_output must be at least 1 byte");
  EXPECT_EQ(error("max_output=1TB"),
            "12: max_output: '1TB' is not a size; write bytes, or e.g. 64KiB, 1MiB");
  EXPECT_EQ(error("max_output=99999999999999999999"),
            "12: max_output: '99999999999999999999' is too large");
  EXPECT_EQ(error("max_output=20000000000G"), "12: max_output: '20000000000G' is too large");
}

TEST(JobOptions, JobStreamTemplateReplacesEveryJobPlaceholder) {
  const auto t = job_stream_template("{job}/{date}/{job}", "backup");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->text(), "backup/{date}/backup");
  EXPECT_TRUE(t->uses("date"));
}

}  // namespace
}  // namespace cwp::jobs
