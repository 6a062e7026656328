#pragma once
// Job names: the rule for names operators write, the name derived from a command when they do
// not, and the stable suffix that tells apart jobs whose commands derive the same name.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/located.h"

namespace cwp::jobs {

// Names become part of stream names, metric dimensions and alarm names.
inline constexpr std::size_t max_job_name_length = 64;
// Derived names stay short enough to read in a console column, suffix included.
inline constexpr std::size_t max_derived_name_length = 40;

// Empty when `name` is 1-64 characters of [A-Za-z0-9._-]; else what is wrong with it.
std::string name_problem(std::string_view name);

// The readable name of a command: the program's base name without a script extension (.sh,
// .py, ...) followed by its first plain arguments (no options, paths, expansions), lowercased
// and slugged to [a-z0-9-], at most max_derived_name_length characters; "job" when nothing is
// left. For shell commands, the first simple command that is not set-up (cd, export, ...);
// leading assignments and wrappers (env, nice, nohup, timeout, exec, ...) are skipped, and for
// interpreters (python3 x.py, bash -c '...') the script is named rather than the interpreter.
std::string derived_name(std::string_view command);

// Six hexadecimal digits of the 32-bit FNV-1a hash of `text`. FNV-1a is fixed by definition
// (unlike std::hash), so a job keeps its name across builds, hosts and versions.
std::string stable_suffix(std::string_view text);

// One job as far as naming is concerned.
struct name_request {
  std::optional<std::string> chosen;  // from `# cwp: name=` (already validated and unique)
  std::string command;
  std::string schedule;  // as written
  std::size_t line{0};
};

struct assigned_names {
  std::vector<std::string> names;  // one per request, in order
  std::vector<located> notes;      // derived names that needed a suffix, and why
};

// Gives every job its final name. A derived name that no other job derives or chooses stays as
// it is; when several jobs derive the same name (or a job chose it), each of them gets
// "-<stable_suffix(command)>", or of schedule and command when the commands are equal too, so
// names do not depend on line order. Fails (naming the line) only for a job line that repeats
// another's schedule and command, or when a suffixed name is taken.
located_result<assigned_names> assign_names(const std::vector<name_request>& jobs);

}  // namespace cwp::jobs
