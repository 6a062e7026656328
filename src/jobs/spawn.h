#pragma once
// Starting a job's process: the environment it gets, the program it executes, and the spawn
// itself (posix_spawn in a process group of its own, default signal dispositions, an empty
// signal mask, and no file descriptor of ours but the three it is given).

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/error.h"

namespace cwp::jobs {

// "NAME=value" entries: every variable of `base`, then `extra` added over them (a name in
// both takes extra's value), each name once.
std::vector<std::string> job_environment(
    const core::environment& base, const std::vector<std::pair<std::string, std::string>>& extra);

// The value of NAME in "NAME=value" entries.
std::optional<std::string> lookup(const std::vector<std::string>& environment,
                                  std::string_view name);

// The file `program` names: itself when it contains a '/', else the first executable file of
// that name in the directories of `path` (colon-separated; an empty entry is the current
// directory, as execvp has it). Fails with errc::io naming the program and the PATH.
core::result<std::string> find_program(std::string_view program, std::string_view path);

struct spawn_request {
  std::string file;               // what to execute: a path (see find_program)
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> environment;
  int stdin_fd{-1};  // -1: /dev/null
  int stdout_fd{-1};
  int stderr_fd{-1};
};

// Starts the process as the leader of a new process group (its pid is the group id). Fails
// with errc::io, the message naming the file and why (exec errors included: posix_spawn
// reports them).
core::result<pid_t> spawn_in_group(const spawn_request& request);

}  // namespace cwp::jobs
