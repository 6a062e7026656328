#include "jobs/crontab.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "jobs/env_line.h"
#include "jobs/job_line.h"
#include "jobs/job_name.h"
#include "jobs/job_options.h"
#include "jobs/shell_words.h"

namespace cwp::jobs {
namespace {

// Editors on Windows start files with it; it is not part of the first line.
constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::size_t skip_blanks(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_blank(s[pos])) ++pos;
  return pos;
}

bool iequals(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](char x, char y) { return lower(x) == lower(y); });
}

// A NUL from a binary file, a carriage return inside a line, an escape sequence: none belongs
// in a crontab, and a NUL could not even be passed to execve.
located_result<void> check_characters(std::string_view line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if ((c < 0x20 && c != '\t') || c == 0x7F) {
      constexpr std::string_view hex = "0123456789ABCDEF";
      return fail_at(i + 1, std::string("control character 0x") + hex[c >> 4U] + hex[c & 0xFU] +
                                " in the line; a crontab is text: remove it");
    }
  }
  return {};
}

// For `# cwp: ...` (also `#cwp:`), the offset of the text after "cwp:".
std::optional<std::size_t> option_text_offset(std::string_view line) {
  std::size_t pos = skip_blanks(line, 0);
  if (pos == line.size() || line[pos] != '#') return std::nullopt;
  pos = skip_blanks(line, pos + 1);
  if (!line.substr(pos).starts_with("cwp:")) return std::nullopt;
  return pos + 4;
}

// `# CWP: name=x` or `# cwp name=x` would otherwise be a comment that silently does nothing.
bool looks_like_misspelt_option(std::string_view line) {
  const std::size_t start = skip_blanks(line, skip_blanks(line, 0) + 1);
  std::size_t end = start;
  while (end < line.size() && !is_blank(line[end])) ++end;
  const std::string_view word = line.substr(start, end - start);
  return iequals(word.substr(0, 4), "cwp:") ||
         (iequals(word, "cwp") && line.find('=', end) != std::string_view::npos);
}

// Reads a crontab line by line, keeping what applies to the lines that follow: the SHELL and
// the environment in effect, and the options waiting for their job.
class parser {
 public:
  parser(std::string_view path, const parse_options& options)
      : path_(path), options_(options), shell_(options.default_shell) {}

  located_result<void> line(std::string_view text, std::size_t number) {
    auto done = classify(text, number);
    if (!done && done.error().line == 0) done.error().line = number;
    return done;
  }

  located_result<crontab> finish();

 private:
  located_result<void> classify(std::string_view text, std::size_t number);
  located_result<void> option_line(std::string_view text, std::size_t offset, std::size_t number);
  located_result<void> env_line(std::string_view text, std::size_t number);
  located_result<void> job(std::string_view text, std::size_t number);
  located_result<std::optional<std::vector<std::string>>> how_to_run(const job_line& line);
  located not_followed_by_a_job(std::string_view what) const;

  std::string_view path_;
  const parse_options& options_;
  std::string shell_;
  std::vector<std::pair<std::string, std::string>> environment_;
  std::size_t environment_bytes_{0};  // of environment_, as NAME=value\0 strings
  std::optional<job_options> pending_;
  std::size_t pending_line_{0};
  std::vector<job_spec> jobs_;
  std::vector<std::optional<std::string>> streams_;  // per job, {job} not yet replaced
  std::vector<name_request> names_;
  std::map<std::string, std::size_t> chosen_names_;  // name -> line
  std::map<std::string, bool> shells_;               // shell_exists answers
  std::vector<located> warnings_;
};

located parser::not_followed_by_a_job(std::string_view what) const {
  return located{pending_line_, 1,
                 "this option line is not directly above a job line (" + std::string(what) +
                     "); move it above the job it is for, or remove it"};
}

located_result<void> parser::classify(std::string_view text, std::size_t number) {
  if (auto ok = check_characters(text); !ok) return ok;
  const std::size_t start = skip_blanks(text, 0);
  if (auto offset = option_text_offset(text)) return option_line(text, *offset, number);
  std::string what;
  const bool assignment = start < text.size() && text[start] != '#' && is_env_line(text);
  if (start == text.size()) {
    what = "line " + std::to_string(number) + " is blank";
  } else if (text[start] == '#') {
    if (looks_like_misspelt_option(text)) {
      return fail_at(start + 1,
                     "this comment looks like a job option line; write those as "
                     "'# cwp: key=value ...', in lower case with the colon");
    }
    what = "line " + std::to_string(number) + " is a comment";
  } else if (assignment) {
    what = "line " + std::to_string(number) + " sets a variable";
  } else {
    return job(text, number);
  }
  if (pending_) return tl::unexpected(not_followed_by_a_job(what));
  if (assignment) return env_line(text, number);
  return {};
}

located_result<void> parser::option_line(std::string_view text, std::size_t offset,
                                         std::size_t number) {
  if (!pending_) {
    pending_.emplace();
    pending_line_ = number;
  }
  const bool had_name = pending_->name.has_value();
  if (auto ok = parse_option_text(text.substr(offset), offset + 1, *pending_); !ok) return ok;
  if (!had_name && pending_->name) {
    const auto [it, fresh] = chosen_names_.emplace(*pending_->name, number);
    if (!fresh) {
      return fail_at(pending_->name_column,
                     "the job name '" + *pending_->name + "' is already used on line " +
                         std::to_string(it->second) + "; job names must be unique");
    }
  }
  return {};
}

located_result<void> parser::env_line(std::string_view text, std::size_t number) {
  auto assignment = parse_env_line(text);
  if (!assignment) return tl::unexpected(assignment.error());
  auto warning = check_cron_variable(*assignment);
  if (!warning) return tl::unexpected(warning.error());
  if (!warning->empty()) warnings_.push_back({number, assignment->name_column, *warning});
  const auto same = std::find_if(environment_.begin(), environment_.end(),
                                 [&](const auto& kv) { return kv.first == assignment->name; });
  std::size_t bytes = environment_bytes_ + assignment->value.size();
  if (same != environment_.end()) {
    bytes -= same->second.size();
  } else {
    bytes += assignment->name.size() + 2;  // '=' and the terminating NUL
  }
  if (bytes > max_environment_bytes) {
    return fail_at(assignment->name_column,
                   "the crontab's variables add up to more than 16 KiB; pass large values to "
                   "the jobs another way (a file, the container's environment)");
  }
  environment_bytes_ = bytes;
  if (assignment->name == "SHELL") shell_ = assignment->value;
  if (same != environment_.end()) {
    same->second = std::move(assignment->value);
  } else {
    environment_.emplace_back(std::move(assignment->name), std::move(assignment->value));
  }
  return {};
}

located_result<std::optional<std::vector<std::string>>> parser::how_to_run(const job_line& line) {
  auto known = shells_.find(shell_);
  if (known == shells_.end()) {
    const bool exists = options_.shell_exists && options_.shell_exists(shell_);
    known = shells_.emplace(shell_, exists).first;
  }
  // With a shell, every command goes through it, as cron does: the same crontab then means the
  // same thing on every host that has the shell.
  if (known->second) return std::optional<std::vector<std::string>>{};
  if (auto construct = find_shell_construct(line.command)) {
    return fail_at(line.command_column + construct->offset,
                   "the command uses " + construct->what + ", which needs a shell, but " + shell_ +
                       " does not exist here; run the jobs in an image that has a shell, or "
                       "write the command as a program with plain arguments (docs/jobs.md "
                       "shows both)");
  }
  return std::optional<std::vector<std::string>>{split_blanks(line.command)};
}

located_result<void> parser::job(std::string_view text, std::size_t number) {
  if (jobs_.size() == max_jobs) {
    return fail_at(1, "more than " + std::to_string(max_jobs) +
                          " jobs; split them across several crontabs and containers");
  }
  auto parsed = parse_job_line(text);
  if (!parsed) return tl::unexpected(parsed.error());
  auto argv = how_to_run(*parsed);
  if (!argv) return tl::unexpected(argv.error());
  const job_options o = pending_.value_or(job_options{});
  pending_.reset();
  jobs_.push_back(job_spec{
      .name = {},
      .schedule = parsed->schedule,
      .command = parsed->command,
      .argv = std::move(*argv),
      .shell = shell_,
      .environment = environment_,
      .timeout = o.timeout ? o.timeout : options_.default_timeout,
      .kill_grace = o.kill_grace.value_or(options_.default_kill_grace),
      .overlap = o.overlap.value_or(overlap_policy::skip),
      .stream = std::nullopt,
      .max_output_bytes =
          o.max_output_bytes ? o.max_output_bytes : options_.default_max_output_bytes,
      .line = number,
  });
  streams_.push_back(o.stream);
  names_.push_back({o.name, parsed->command, parsed->schedule.text(), number});
  return {};
}

located_result<crontab> parser::finish() {
  if (pending_) return tl::unexpected(not_followed_by_a_job("the file ends"));
  auto names = assign_names(names_);
  if (!names) return tl::unexpected(names.error());
  crontab out;
  out.path = std::string(path_);
  for (std::size_t i = 0; i < jobs_.size(); ++i) {
    jobs_[i].name = names->names[i];
    if (streams_[i]) {
      auto stream = job_stream_template(*streams_[i], jobs_[i].name);
      if (!stream) return tl::unexpected(located{jobs_[i].line, 1, stream.error().message});
      jobs_[i].stream = std::move(*stream);
    }
  }
  out.jobs = std::move(jobs_);
  warnings_.insert(warnings_.end(), names->notes.begin(), names->notes.end());
  std::stable_sort(warnings_.begin(), warnings_.end(),
                   [](const located& a, const located& b) { return a.line < b.line; });
  for (const located& w : warnings_) {
    out.warnings.push_back(std::string(path_) + ":" + std::to_string(w.line) + ":" +
                           std::to_string(w.column) + ": " + w.message);
  }
  return out;
}

}  // namespace

core::result<crontab> parse_crontab(std::string_view text, std::string_view path,
                                    const parse_options& options) {
  if (text.size() > max_crontab_bytes) {
    return core::fail(core::errc::invalid_argument,
                      std::string(path) +
                          ": the file is larger than 1 MiB, which no crontab "
                          "is; check that the setting names the crontab");
  }
  if (text.starts_with(utf8_bom)) text.remove_prefix(utf8_bom.size());
  parser p(path, options);
  auto fail = [&](const located& e) {
    return core::fail(core::errc::invalid_argument,
                      std::string(path) + ":" + std::to_string(e.line) + ":" +
                          std::to_string(e.column) + ": " + e.message);
  };
  std::size_t number = 1;
  for (std::size_t pos = 0; pos < text.size(); ++number) {
    const std::size_t newline = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, newline - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);  // CRLF line endings
    if (auto ok = p.line(line, number); !ok) return fail(ok.error());
    pos = newline + 1;
  }
  auto result = p.finish();
  if (!result) return fail(result.error());
  return std::move(*result);
}

}  // namespace cwp::jobs
