#include "commands/crontab_reload.h"

#include "commands/crontab_file.h"

namespace cwp::commands {
namespace {

void refuse(const std::string& why, const daemon::job_service& jobs, const logging::logger& log,
            const std::string& path) {
  log.error(
      "Could not reload the crontab: " + why + "; the previous crontab stays in force (" +
          std::to_string(jobs.size()) + " jobs)",
      {logging::kv("crontab", path), logging::kv("jobs", static_cast<long long>(jobs.size()))});
}

}  // namespace

bool reload_crontab(const std::string& path, bool heartbeats, daemon::job_service& jobs,
                    const logging::logger& log) {
  auto tab = load_crontab(path);
  if (!tab) {
    refuse(tab.error().message, jobs, log, path);
    return false;
  }
  if (!heartbeats && tab->jobs.empty()) {
    refuse(path + " has no jobs, and with CWP_SCHEDULE=off there would be nothing to run", jobs,
           log, path);
    return false;
  }
  for (const auto& warning : tab->warnings) log.warn(warning);
  const auto done = jobs.reload(std::move(tab->jobs));
  const auto count = [](std::size_t n) { return static_cast<long long>(n); };
  log.info(
      "Reloaded the crontab: " + std::to_string(done.jobs) + " jobs scheduled (" +
          std::to_string(done.added) + " added, " + std::to_string(done.changed) + " changed, " +
          std::to_string(done.removed) + " removed)",
      {logging::kv("crontab", path), logging::kv("jobs", count(done.jobs)),
       logging::kv("added", count(done.added)), logging::kv("changed", count(done.changed)),
       logging::kv("removed", count(done.removed)), logging::kv("running", count(jobs.running()))});
  return true;
}

}  // namespace cwp::commands
