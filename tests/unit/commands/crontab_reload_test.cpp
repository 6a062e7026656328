#include "commands/crontab_reload.h"

#include <gtest/gtest.h>

#include "commands/crontab_file.h"
#include "support/capturing_sink.h"
#include "support/scripted_jobs.h"
#include "support/temp_dir.h"

namespace cwp::commands {
namespace {

// SIGHUP's crontab reload (docs/jobs.md "Reloading the crontab"): a good new file replaces the
// jobs and says how many are scheduled; a bad one is an ERROR naming the file, line and column,
// and the jobs in force stay.
class CrontabReload : public ::testing::Test, protected testing::scripted_jobs {
 protected:
  std::unique_ptr<daemon::job_service> service(const std::string& file) {
    auto tab = load_crontab(file);
    EXPECT_TRUE(tab) << tab.error().message;
    return job_service_of(tab ? std::move(tab->jobs) : std::vector<jobs::job_spec>{});
  }

  std::vector<logging::line> at(logging::level level) const {
    std::vector<logging::line> out;
    for (const auto& line : sink.lines()) {
      if (line.severity == level) out.push_back(line);
    }
    return out;
  }

  testing::temp_dir dir;
  std::string path = dir.write("crontab", "# cwp: name=one\n@every 1m /bin/true\n");
};

TEST_F(CrontabReload, AValidNewCrontabReplacesTheJobsAndSaysHowManyAreScheduled) {
  auto jobs = service(path);
  dir.write("crontab",
            "# cwp: name=two\n@every 1m /bin/true\n# cwp: name=three\n@hourly /bin/true\n");
  EXPECT_TRUE(reload_crontab(path, true, *jobs, log));
  EXPECT_EQ(jobs->size(), 2U);
  const auto info = at(logging::level::info);
  ASSERT_EQ(info.size(), 1U);
  EXPECT_EQ(info[0].message,
            "Reloaded the crontab: 2 jobs scheduled (2 added, 0 changed, 1 removed)");
  EXPECT_TRUE(at(logging::level::error).empty());
}

TEST_F(CrontabReload, AnInvalidNewCrontabIsAnErrorNamingFileLineAndColumnAndTheOldJobsStay) {
  auto jobs = service(path);
  dir.write("crontab", "# cwp: name=two\n@every 1m /bin/true\n61 * * * * /bin/true\n");
  EXPECT_FALSE(reload_crontab(path, true, *jobs, log));
  EXPECT_EQ(jobs->size(), 1U);
  const auto errors = at(logging::level::error);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0].message.rfind("Could not reload the crontab: " + path + ":3:1: ", 0), 0U)
      << errors[0].message;
  EXPECT_NE(errors[0].message.find("; the previous crontab stays in force (1 jobs)"),
            std::string::npos)
      << errors[0].message;
  EXPECT_TRUE(at(logging::level::info).empty());
}

TEST_F(CrontabReload, AMissingFileIsAnErrorAndTheOldJobsStay) {
  auto jobs = service(path);
  std::filesystem::remove(path);
  EXPECT_FALSE(reload_crontab(path, true, *jobs, log));
  EXPECT_EQ(jobs->size(), 1U);
  const auto errors = at(logging::level::error);
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_NE(errors[0].message.find("cannot read the crontab '" + path + "'"), std::string::npos)
      << errors[0].message;
}

TEST_F(CrontabReload, WithoutHeartbeatsACrontabWithoutJobsIsRefused) {
  auto jobs = service(path);
  dir.write("crontab", "# nothing left\n");
  EXPECT_FALSE(reload_crontab(path, false, *jobs, log));
  EXPECT_EQ(jobs->size(), 1U);
  EXPECT_TRUE(reload_crontab(path, true, *jobs, log));  // with heartbeats it is fine
  EXPECT_EQ(jobs->size(), 0U);
}

TEST_F(CrontabReload, TheNewCrontabsWarningsAreLogged) {
  auto jobs = service(path);
  dir.write("crontab", "MAILTO=ops@example.com\n# cwp: name=one\n@every 1m /bin/true\n");
  EXPECT_TRUE(reload_crontab(path, true, *jobs, log));
  const auto warns = at(logging::level::warn);
  ASSERT_EQ(warns.size(), 1U);
  EXPECT_EQ(warns[0].message.rfind(path + ":1:1: ", 0), 0U) << warns[0].message;
  // MAILTO is passed to the job: its environment changed.
  EXPECT_NE(at(logging::level::info)[0].message.find("(0 added, 1 changed, 0 removed)"),
            std::string::npos);
}

}  // namespace
}  // namespace cwp::commands
