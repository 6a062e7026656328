#include "jobs/job_name.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <set>

#include "jobs/shell_words.h"

namespace cwp::jobs {
namespace {

constexpr std::array<std::string_view, 7> script_extensions{".sh", ".bash", ".py", ".rb",
                                                            ".pl", ".php",  ".js"};
// Commands that prepare the shell for the real work (`cd /app && ./run.sh`).
constexpr std::array<std::string_view, 7> set_up_commands{"cd",     "export", "set", "umask",
                                                          "ulimit", "source", "."};
constexpr std::array<std::string_view, 6> shells{"sh", "bash", "dash", "zsh", "ash", "ksh"};
constexpr std::array<std::string_view, 5> interpreters{"node", "ruby", "perl", "php", "python"};

// Programs that run the program named after them. `positionals` of their own arguments come
// before it (timeout's duration, flock's lock file).
struct wrapper {
  std::string_view name;
  int positionals;
};
constexpr std::array<wrapper, 10> wrappers{{{"exec", 0},
                                            {"command", 0},
                                            {"nohup", 0},
                                            {"time", 0},
                                            {"env", 0},
                                            {"nice", 0},
                                            {"ionice", 0},
                                            {"setsid", 0},
                                            {"timeout", 1},
                                            {"flock", 1}}};

// `bash -c '...'` names the inner command; deeper nesting is not worth following.
constexpr int max_nesting = 2;

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_digits(std::string_view w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_assignment(std::string_view w) {
  const auto eq = w.find('=');
  return eq != std::string_view::npos && eq > 0 &&
         std::all_of(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(eq),
                     [](char c) { return is_alnum(c) || c == '_'; });
}

bool is_option(std::string_view w) { return w.size() > 1 && w[0] == '-'; }

// An argument that says what the job does (`daily`, `schedule:run`), not a path, option,
// assignment or expansion.
bool is_plain_argument(std::string_view w) {
  return !w.empty() && w[0] != '-' && std::any_of(w.begin(), w.end(), is_alnum) &&
         std::all_of(w.begin(), w.end(), [](char c) {
           return is_alnum(c) || c == '.' || c == '_' || c == ':' || c == '-';
         });
}

std::string program_name(std::string_view word) {
  const auto slash = word.find_last_of('/');
  if (slash != std::string_view::npos) word.remove_prefix(slash + 1);
  for (const std::string_view ext : script_extensions) {
    if (word.size() > ext.size() && word.ends_with(ext)) {
      word.remove_suffix(ext.size());
      break;
    }
  }
  return std::string(word);
}

bool is_interpreter(std::string_view program) {
  return std::any_of(interpreters.begin(), interpreters.end(),
                     [&](std::string_view i) { return program.starts_with(i); });
}

std::string slug(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (is_alnum(c)) {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  if (out.size() > max_derived_name_length) {
    const bool cut_mid_part = out[max_derived_name_length] != '-';
    out.resize(max_derived_name_length);
    const auto dash = out.find_last_of('-');
    if (cut_mid_part && dash != std::string::npos && dash > 0) out.resize(dash);
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

using words = std::vector<std::string>;

// The index of the program in `w` after assignments and wrappers, or w.size().
std::size_t program_index(const words& w) {
  std::size_t i = 0;
  while (i < w.size() && is_assignment(w[i])) ++i;
  while (i < w.size()) {
    const auto* const it = std::find_if(wrappers.begin(), wrappers.end(), [&](const wrapper& x) {
      return x.name == program_name(w[i]);
    });
    if (it == wrappers.end()) break;
    ++i;
    int positionals = it->positionals;
    while (i < w.size() &&
           (is_option(w[i]) || is_assignment(w[i]) || is_digits(w[i]) || positionals-- > 0)) {
      ++i;
    }
  }
  return i;
}

std::string name_of(std::string_view command, int depth);

// The name of one simple command whose program is w[i].
std::string name_of_words(const words& w, std::size_t i, int depth) {
  std::string program = program_name(w[i]);
  const bool shell = contains(shells, program);
  if (shell || is_interpreter(program)) {
    std::size_t j = i + 1;
    for (; j < w.size() && is_option(w[j]); ++j) {
      if (shell && w[j] == "-c" && j + 1 < w.size() && depth < max_nesting) {
        return name_of(w[j + 1], depth + 1);
      }
      if (w[j] == "-m" && j + 1 < w.size()) break;  // python -m package.module
    }
    if (j < w.size() && w[j] == "-m") ++j;
    if (j < w.size()) {
      program = program_name(w[j]);
      i = j;
    }
  }
  std::string text = program;
  int arguments = 0;
  for (std::size_t j = i + 1; j < w.size() && arguments < 3 && is_plain_argument(w[j]); ++j) {
    text += " " + w[j];
    ++arguments;
  }
  return slug(text);
}

std::string name_of(std::string_view command, int depth) {
  const auto commands = simple_commands(command);
  const words* chosen = nullptr;
  std::size_t index = 0;
  for (const words& w : commands) {
    const std::size_t i = program_index(w);
    if (i == w.size() || contains(set_up_commands, w[i])) continue;
    chosen = &w;
    index = i;
    break;
  }
  if (chosen == nullptr) {
    for (const words& w : commands) {
      const std::size_t i = program_index(w);
      if (i < w.size()) return slug(program_name(w[i]));
    }
    return "";
  }
  return name_of_words(*chosen, index, depth);
}

std::string lines_text(const std::vector<std::size_t>& lines) {
  std::string out;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (k > 0) out += k + 1 == lines.size() ? " and " : ", ";
    out += std::to_string(lines[k]);
  }
  return out;
}

// Suffixes every job of `group` (jobs deriving `base`); `taken_line` is the line of a job that
// chose `base` as its name, or 0.
located_result<void> name_group(const std::string& base, const std::vector<std::size_t>& group,
                                std::size_t taken_line, const std::vector<name_request>& jobs,
                                assigned_names& out) {
  std::vector<std::size_t> lines;
  std::string named;
  for (const std::size_t i : group) {
    bool same_command = false;
    for (const std::size_t k : group) {
      if (k == i || jobs[k].command != jobs[i].command) continue;
      same_command = true;
      if (k < i && jobs[k].schedule == jobs[i].schedule) {
        return tl::unexpected(
            located{jobs[i].line, 1,
                    "this job repeats line " + std::to_string(jobs[k].line) +
                        " (same schedule and command); remove one of them, or name both with "
                        "'# cwp: name=...' if it should run twice"});
      }
    }
    out.names[i] =
        base + "-" +
        stable_suffix(same_command ? jobs[i].schedule + "\n" + jobs[i].command : jobs[i].command);
    lines.push_back(jobs[i].line);
    named +=
        (named.empty() ? "" : ", ") + out.names[i] + " (line " + std::to_string(jobs[i].line) + ")";
  }
  const std::string message =
      group.size() > 1
          ? "the jobs on lines " + lines_text(lines) + " all derive the name '" + base +
                "', so they are named " + named
          : "the derived name '" + base + "' is taken by the job on line " +
                std::to_string(taken_line) + ", so this job is named " + out.names[group[0]];
  out.notes.push_back({jobs[group[0]].line, 1,
                       message + " after a hash of the command; choose names with "
                                 "'# cwp: name=...' above the jobs"});
  return {};
}

}  // namespace

std::string name_problem(std::string_view name) {
  if (name.empty() || name.size() > max_job_name_length) {
    return "a job name must be 1 to 64 characters long";
  }
  const auto* const bad = std::find_if_not(name.begin(), name.end(), [](char c) {
    return is_alnum(c) || c == '.' || c == '_' || c == '-';
  });
  if (bad != name.end()) {
    return "job name '" + std::string(name) + "' contains '" + std::string(1, *bad) +
           "'; use letters, digits and . _ -";
  }
  return "";
}

std::string derived_name(std::string_view command) {
  std::string name = name_of(command, 0);
  return name.empty() ? "job" : name;
}

std::string stable_suffix(std::string_view text) {
  // FNV-1a, 32 bits: offset basis 2166136261, prime 16777619.
  std::uint32_t hash = 2166136261U;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619U;
  }
  constexpr std::string_view hex = "0123456789abcdef";
  std::string out(6, '0');
  for (std::size_t k = 0; k < out.size(); ++k) {
    out[out.size() - 1 - k] = hex[(hash >> (4 * k)) & 0xFU];
  }
  return out;
}

located_result<assigned_names> assign_names(const std::vector<name_request>& jobs) {
  assigned_names out;
  out.names.resize(jobs.size());
  std::map<std::string, std::size_t> chosen_lines;
  std::map<std::string, std::vector<std::size_t>> by_base;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i].chosen) {
      out.names[i] = *jobs[i].chosen;
      chosen_lines.emplace(*jobs[i].chosen, jobs[i].line);
    } else {
      by_base[derived_name(jobs[i].command)].push_back(i);
    }
  }
  for (const auto& [base, group] : by_base) {
    const auto taken = chosen_lines.find(base);
    if (group.size() == 1 && taken == chosen_lines.end()) {
      out.names[group[0]] = base;
      continue;
    }
    const std::size_t taken_line = taken == chosen_lines.end() ? 0 : taken->second;
    if (auto named = name_group(base, group, taken_line, jobs, out); !named) {
      return tl::unexpected(named.error());
    }
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!seen.insert(out.names[i]).second) {
      return tl::unexpected(located{jobs[i].line, 1,
                                    "the job name '" + out.names[i] +
                                        "' is already in use; choose another with "
                                        "'# cwp: name=...' above the job"});
    }
  }
  std::sort(out.notes.begin(), out.notes.end(),
            [](const located& a, const located& b) { return a.line < b.line; });
  return out;
}

}  // namespace cwp::jobs
