#pragma once
// One crontab job line: where its schedule ends and its command starts.

#include <cstddef>
#include <string>
#include <string_view>

#include "jobs/located.h"
#include "schedule/cron_expression.h"

namespace cwp::jobs {

// execve(2) refuses a single argument or environment string of MAX_ARG_STRLEN (32 pages,
// 131072 bytes on Linux) or more, terminating NUL included; `sh -c <command>` passes the
// command as one argument, so a longer one could never start.
inline constexpr std::size_t max_command_bytes = 131'071;

struct job_line {
  schedule::cron_expression schedule;
  std::string command;         // without surrounding blanks
  std::size_t command_column;  // 1-based
};

// The schedule is the first five blank-separated words, or one descriptor word (@hourly, ...),
// or `@every <duration>`; the command is the rest of the line, kept as written. Errors point
// at the word at fault: an unknown descriptor or @reboot, a bad field (each field is checked
// alone so the column is exact), a sixth or seventh schedule field (seconds or years, which
// supercronic accepts), a missing command, a user field (/etc/crontab style `root cmd`), a
// command longer than max_command_bytes.
located_result<job_line> parse_job_line(std::string_view line);

}  // namespace cwp::jobs
