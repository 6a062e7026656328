#pragma once
// Crontab text -> jobs. The syntax is what cron and supercronic accept, so an existing crontab
// runs unchanged, plus `@every <duration>` and `# cwp:` option lines; docs/jobs.md describes
// every rule. Pure: the file system is reached only through parse_options::shell_exists.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "jobs/job_spec.h"

namespace cwp::jobs {

// Crontabs are a few dozen lines; the bound keeps a wrong path (a log file, a binary) from
// being read whole into memory. The caller reads at most this many bytes plus one.
inline constexpr std::size_t max_crontab_bytes = std::size_t{1} << 20U;
// Every job carries a copy of the variables in effect at its line, so these two bound the
// parsed crontab at about max_jobs * max_environment_bytes (16 MiB) whatever the file holds;
// real crontabs have a handful of jobs and a few hundred bytes of variables.
inline constexpr std::size_t max_jobs = 1000;
inline constexpr std::size_t max_environment_bytes = std::size_t{16} << 10U;  // NAME=value\0 each

struct parse_options {
  // Whether an executable exists at this absolute path (the SHELL in effect). Unset means no
  // shell exists anywhere.
  std::function<bool(const std::string& path)> shell_exists;
  std::string default_shell{"/bin/sh"};                      // before any SHELL= line, as in cron
  std::optional<std::chrono::milliseconds> default_timeout;  // jobs without timeout=
  std::chrono::milliseconds default_kill_grace{std::chrono::seconds{10}};
  std::optional<std::uint64_t> default_max_output_bytes;  // jobs without max_output=
};

// Parses a whole crontab. Errors are core::errc::invalid_argument (exit code 2) with the
// message "<path>:<line>:<column>: <what is wrong>; <how to fix it>", for the first problem in
// the file; lines and columns are 1-based and count bytes.
core::result<crontab> parse_crontab(std::string_view text, std::string_view path,
                                    const parse_options& options);

}  // namespace cwp::jobs
