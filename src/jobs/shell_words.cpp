#include "jobs/shell_words.h"

#include <algorithm>
#include <array>

namespace cwp::jobs {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// POSIX sh reserved words, plus the bash ones a crontab written for SHELL=/bin/bash may use.
constexpr std::array<std::string_view, 22> keywords{
    "!",  "{",   "}",        "[[", "]]", "case",   "do",   "done", "elif",  "else",  "esac",
    "fi", "for", "function", "if", "in", "select", "then", "time", "until", "while", "coproc"};

// Special builtins and the regular builtins that change the shell itself: no program of that
// name exists, so executing the word directly could only fail.
constexpr std::array<std::string_view, 24> builtins{
    ".",    ":",     "alias",  "bg",   "break",  "cd",    "continue", "eval",
    "exec", "exit",  "export", "fg",   "jobs",   "read",  "readonly", "return",
    "set",  "shift", "source", "trap", "ulimit", "umask", "unalias",  "unset"};

std::string_view describe(char c) {
  switch (c) {
    case '\'':
    case '"':
      return "quoting";
    case '\\':
      return "an escape";
    case '$':
      return "an expansion";
    case '`':
      return "command substitution";
    case '|':
      return "a pipe";
    case '&':
      return "'&' or '&&'";
    case ';':
      return "a command separator";
    case '<':
    case '>':
      return "a redirection";
    case '(':
    case ')':
      return "a subshell";
    case '*':
    case '?':
    case '[':
      return "a glob pattern";
    case '{':
    case '}':
      return "braces";
    case '~':
      return "home directory expansion";
    case '#':
      return "a comment";
    default:
      return "shell syntax";
  }
}

shell_construct construct_at(std::size_t offset, char c) {
  return {offset, "'" + std::string(1, c) + "' (" + std::string(describe(c)) + ")"};
}

bool is_assignment(std::string_view word) {
  const auto eq = word.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  const auto name_char = [](char c) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (word[0] >= '0' && word[0] <= '9') return false;
  return std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(eq), name_char);
}

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

std::optional<shell_construct> first_word_construct(std::string_view word, std::size_t offset) {
  if (is_assignment(word)) {
    return shell_construct{offset, "'" + std::string(word.substr(0, word.find('=') + 1)) +
                                       "' (a variable assignment before the program)"};
  }
  if (contains(keywords, word)) {
    return shell_construct{offset, "'" + std::string(word) + "' (a shell keyword)"};
  }
  if (contains(builtins, word)) {
    return shell_construct{offset, "'" + std::string(word) + "' (a shell builtin, not a program)"};
  }
  return std::nullopt;
}

// Blank-separated words with their offsets.
struct word_at {
  std::string_view text;
  std::size_t offset;
};

std::vector<word_at> words_of(std::string_view s) {
  std::vector<word_at> words;
  std::size_t pos = 0;
  while (pos < s.size()) {
    while (pos < s.size() && is_blank(s[pos])) ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && !is_blank(s[pos])) ++pos;
    if (pos > start) words.push_back({s.substr(start, pos - start), start});
  }
  return words;
}

constexpr std::string_view anywhere_special = "'\"\\$`|&;<>()*?[{}";

}  // namespace

std::optional<shell_construct> find_shell_construct(std::string_view command) {
  const std::vector<word_at> words = words_of(command);
  for (std::size_t w = 0; w < words.size(); ++w) {
    const word_at& word = words[w];
    if (word.text[0] == '~' || word.text[0] == '#') return construct_at(word.offset, word.text[0]);
    const auto special = word.text.find_first_of(anywhere_special);
    if (w == 0) {
      // A keyword like `{` or `[[` is reported as a keyword rather than as a character.
      auto first = first_word_construct(word.text, word.offset);
      if (first) return first;
    }
    if (special != std::string_view::npos) {
      return construct_at(word.offset + special, word.text[special]);
    }
  }
  return std::nullopt;
}

std::vector<std::string> split_blanks(std::string_view command) {
  std::vector<std::string> out;
  for (const word_at& w : words_of(command)) out.emplace_back(w.text);
  return out;
}

namespace {

// The state of simple_commands' single left-to-right pass.
class command_reader {
 public:
  std::vector<std::vector<std::string>> read(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      const char c = s[i];
      if (is_blank(c)) {
        end_word();
      } else if (c == '\'') {
        const auto close = s.find('\'', i + 1);
        const std::size_t end = close == std::string_view::npos ? s.size() : close;
        word_ += s.substr(i + 1, end - i - 1);
        in_word_ = true;
        i = end;
      } else if (c == '"') {
        i = read_double_quoted(s, i + 1);
      } else if (c == '\\') {
        word_ += i + 1 < s.size() ? s[++i] : c;  // a final backslash stays itself
        in_word_ = true;
      } else if (c == '#' && !in_word_) {
        break;
      } else if (c == '<' || c == '>') {
        // `2>&1`, `>>log`: a file-descriptor number before, the target after.
        if (!word_.empty() && std::all_of(word_.begin(), word_.end(), is_digit)) {
          word_.clear();
          in_word_ = false;
        }
        end_word();
        while (i + 1 < s.size() && (s[i + 1] == '>' || s[i + 1] == '&' || s[i + 1] == '|')) ++i;
        skip_next_word_ = true;
      } else if (c == '|' || c == '&' || c == ';' || c == '(' || c == ')') {
        end_command();
      } else {
        word_ += c;
        in_word_ = true;
      }
    }
    end_command();
    return std::move(commands_);
  }

 private:
  // POSIX: inside double quotes a backslash escapes only these (and a newline).
  static bool escapable_in_double_quotes(char c) {
    return c == '"' || c == '\\' || c == '$' || c == '`';
  }

  std::size_t read_double_quoted(std::string_view s, std::size_t i) {
    in_word_ = true;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size() && escapable_in_double_quotes(s[i + 1])) ++i;
      word_ += s[i];
    }
    return i;
  }

  void end_word() {
    if (in_word_ && !skip_next_word_) current_.push_back(word_);
    if (in_word_) skip_next_word_ = false;
    word_.clear();
    in_word_ = false;
  }

  void end_command() {
    end_word();
    skip_next_word_ = false;
    if (!current_.empty()) commands_.push_back(std::move(current_));
    current_.clear();
  }

  std::vector<std::vector<std::string>> commands_;
  std::vector<std::string> current_;
  std::string word_;
  bool in_word_{false};
  bool skip_next_word_{false};
};

}  // namespace

std::vector<std::vector<std::string>> simple_commands(std::string_view command) {
  return command_reader{}.read(command);
}

}  // namespace cwp::jobs
