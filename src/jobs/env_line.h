#pragma once
// Crontab environment lines: `NAME=value`, `NAME = value`, `NAME="value"`, as Vixie cron and
// supercronic read them, and what the variables cron itself interprets mean here.

#include <cstddef>
#include <string>
#include <string_view>

#include "jobs/located.h"

namespace cwp::jobs {

struct env_assignment {
  std::string name;
  std::string value;
  std::size_t name_column{1};
  std::size_t value_column{1};
};

// A line (leading blanks allowed) whose first word, up to blanks or '=', is followed by '='
// (blanks around it allowed). No job line is one: cron fields and descriptors never hold '='.
bool is_env_line(std::string_view line);

// The name (quotes around it removed, as Vixie cron does) and the value: without leading and
// trailing blanks; a value in matching single or double quotes is taken literally between
// them, blanks included. Nothing is expanded ($HOME stays "$HOME"), as in cron. An unclosed
// quote, or text after the closing quote, is an error.
located_result<env_assignment> parse_env_line(std::string_view line);

// What the crontab-level variables cron interprets do here, checked against this program:
// - SHELL must be an absolute path (the runner executes it; cron does the same).
// - CRON_TZ other than UTC is an error: schedules are evaluated in UTC, and firing at the
//   wrong hour silently would be worse than not starting.
// - TZ other than UTC, MAILTO/MAILFROM (non-empty), RANDOM_DELAY, USER: accepted and passed to
//   the jobs, with a warning saying that they do not change scheduling, mail or the user.
// Returns the warning ("" for none) or the error.
located_result<std::string> check_cron_variable(const env_assignment& assignment);

}  // namespace cwp::jobs
