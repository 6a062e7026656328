// libFuzzer target: any bytes as a crontab (CWP_CRONTAB), parsed as in an image with a shell
// and as in the scratch image without one. Parsing must not crash. A rejected crontab gets
// "<path>:<line>:<column>: <message>" pointing inside the file (or the size error); an accepted
// one has valid, unique job names, jobs in line order, argv exactly when there is no shell
// (never empty, no blank inside a word), and schedules that parse again from their text.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/crontab.h"
#include "jobs/job_line.h"
#include "jobs/job_name.h"

namespace {

using namespace cwp::jobs;

constexpr std::string_view path = "fuzz.crontab";

// The lines as the parser sees them: split at '\n', a final '\r' and a leading BOM removed.
std::vector<std::string_view> lines_of(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string_view> lines;
  for (std::size_t pos = 0; pos < text.size();) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    pos = end + 1;
  }
  return lines;
}

std::size_t number_at(std::string_view& s) {
  std::size_t n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc{} || end == s.data() || end == s.data() + s.size() || *end != ':') {
    std::abort();
  }
  s.remove_prefix(static_cast<std::size_t>(end - s.data()) + 1);
  return n;
}

void check_error(std::string_view text, const std::string& message) {
  std::string_view rest = message;
  if (!rest.starts_with(path) || rest.size() <= path.size() + 1) std::abort();
  rest.remove_prefix(path.size() + 1);
  if (rest.starts_with(" the file is larger")) {
    if (text.size() <= max_crontab_bytes) std::abort();
    return;
  }
  const auto lines = lines_of(text);
  const std::size_t line = number_at(rest);
  const std::size_t column = number_at(rest);
  if (line < 1 || line > lines.size() || column < 1 || column > lines[line - 1].size() + 1) {
    std::abort();
  }
  if (!rest.starts_with(" ") || rest.size() < 2) std::abort();
}

void check_crontab(const crontab& c, bool shell) {
  std::set<std::string> names;
  std::size_t previous_line = 0;
  for (const job_spec& j : c.jobs) {
    if (!name_problem(j.name).empty() || !names.insert(j.name).second) std::abort();
    if (j.line <= previous_line) std::abort();
    previous_line = j.line;
    if (j.command.empty() || j.command.size() > max_command_bytes || j.command.front() == ' ' ||
        j.command.back() == ' ') {
      std::abort();
    }
    if (!cwp::schedule::cron_expression::parse(j.schedule.text())) std::abort();
    if (j.argv.has_value() == shell) std::abort();
    if (j.argv) {
      if (j.argv->empty()) std::abort();
      for (const std::string& word : *j.argv) {
        if (word.empty() || word.find_first_of(" \t") != std::string::npos) std::abort();
      }
    }
    if (j.stream && j.stream->text().find("{job}") != std::string::npos) std::abort();
    const std::string derived = derived_name(j.command);
    if (!name_problem(derived).empty() || derived.size() > max_derived_name_length) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool shell : {true, false}) {
    parse_options options;
    options.shell_exists = [shell](const std::string&) { return shell; };
    const auto parsed = parse_crontab(text, path, options);
    if (parsed) {
      check_crontab(*parsed, shell);
    } else {
      check_error(text, parsed.error().message);
    }
  }
  return 0;
}
