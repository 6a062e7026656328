#pragma once
// The jobs of a crontab as the runner consumes them: what to run, when, and under which limits.
// Plain values, produced by parse_crontab (crontab.h) and never changed afterwards.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cloudwatch/names.h"
#include "schedule/cron_expression.h"

namespace cwp::jobs {

// What happens when a job is due while its previous run is still going.
enum class overlap_policy {
  skip,     // the new run does not start: a `skipped` result and a WARN (the default)
  allow,    // the new run starts beside the old one
  replace,  // the old run is stopped (as on timeout) and the new one starts
};

// One job: one job line of the crontab with the option lines above it applied.
struct job_spec {
  // Unique in the crontab; 1-64 characters of [A-Za-z0-9._-]. From `# cwp: name=`, else derived
  // from the command (see job_name.h). Stream names, metrics and alarms carry it.
  std::string name;
  schedule::cron_expression schedule;  // UTC; schedule.text() is the schedule as written
  std::string command;                 // as written, without surrounding blanks
  // Set: execute argv[0] (an absolute path, a relative path with '/', or a name looked up on the
  // PATH of the job's environment at run time) with these arguments, without a shell. Unset:
  // run `shell -c command`. Never empty when set.
  std::optional<std::vector<std::string>> argv;
  std::string shell;  // the SHELL in effect at this line (default /bin/sh); used when !argv
  // The crontab's NAME=value lines above this job, each name once with its latest value, in the
  // order the names first appear. The runner adds them to (and over) its own environment.
  std::vector<std::pair<std::string, std::string>> environment;
  std::optional<std::chrono::milliseconds> timeout;  // unset: no time limit
  std::chrono::milliseconds kill_grace{0};           // SIGTERM to SIGKILL, on timeout or replace
  overlap_policy overlap{overlap_policy::skip};
  // Set by `# cwp: stream=`: where this job's output goes, with {job} already replaced by the
  // name. Unset: the integration's default stream for jobs.
  std::optional<cloudwatch::stream_template> stream;
  std::optional<std::uint64_t> max_output_bytes;  // output kept per run; unset: no job limit
  std::size_t line{0};                            // 1-based line of the job in the crontab
};

// A parsed crontab file.
struct crontab {
  std::string path;  // as given to parse_crontab; error and warning messages start with it
  std::vector<job_spec> jobs;  // in file order
  // "<path>:<line>:<column>: ..." for lines that are accepted but do not do what they would do
  // under cron (MAILTO=, TZ=, ...), and for derived names that needed a disambiguating suffix.
  // The caller logs them at WARN.
  std::vector<std::string> warnings;
};

}  // namespace cwp::jobs
