#pragma once
// SIGHUP in `run`: the crontab file (CWP_CRONTAB) is read again and its jobs replace the running
// set (daemon::job_service::reload), or, when the new file cannot be used, nothing changes.
// Settings are not re-read: they come from the environment and flags, which a running process
// cannot be given anew.

#include <string>

#include "daemon/job_service.h"
#include "logging/logger.h"

namespace cwp::commands {

// Reads `path` again (commands::load_crontab). On success its warnings are WARN lines, its jobs
// replace the current ones and one INFO line says how many jobs are scheduled; returns true.
// When the file cannot be read, has an error (the ERROR names the file, line and column) or,
// with heartbeats off, has no job, one ERROR line says so and the jobs in force stay; returns
// false.
bool reload_crontab(const std::string& path, bool heartbeats, daemon::job_service& jobs,
                    const logging::logger& log);

}  // namespace cwp::commands
