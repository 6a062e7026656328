#pragma once
// The little of shell syntax the crontab parser needs: whether a command needs a shell at all,
// its words when it does not, and a lenient reading of its simple commands for naming jobs.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cwp::jobs {

// The first construct of a command that only a shell gives meaning to.
struct shell_construct {
  std::size_t offset{0};  // 0-based, into the command
  std::string what;       // e.g. "'|' (a pipe)"
};

// Finds, in a command, the first of: a quote, `\`, `$`, a backquote, `|&;<>()`, a glob
// character `*?[`, `{}`, `~` or `#` at the start of a word, a leading `NAME=value` assignment,
// a shell keyword (if, for, !, ...) or a shell builtin that has no program (cd, export, ...)
// as the first word. Nothing found means the command is plain words: split on blanks, they are
// exactly the argv the shell would have executed.
std::optional<shell_construct> find_shell_construct(std::string_view command);

// The command split on blanks (spaces and tabs).
std::vector<std::string> split_blanks(std::string_view command);

// A best-effort reading of a shell command for naming it, which never fails: its simple
// commands (separated by |, ||, &&, ;, &, parentheses), each as its words with quotes and
// backslashes removed, redirections and their targets dropped, and everything from a `#`
// comment on ignored. Expansions (`$x`, backquotes) stay in the words as written.
std::vector<std::vector<std::string>> simple_commands(std::string_view command);

}  // namespace cwp::jobs
