#include "jobs/job_line.h"

#include <algorithm>
#include <array>
#include <vector>

namespace cwp::jobs {
namespace {

using schedule::cron_expression;

// Five fields, two that supercronic would also read (seconds, year), and the command's first.
constexpr std::size_t words_needed = 8;

// Names /etc/crontab jobs commonly run as; as the first word of a command they are far more
// likely a user field than a program.
constexpr std::array<std::string_view, 3> system_users{"root", "nobody", "www-data"};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

struct word_at {
  std::string_view text;
  std::size_t offset;
  std::size_t end() const { return offset + text.size(); }
};

std::vector<word_at> first_words(std::string_view s, std::size_t count) {
  std::vector<word_at> words;
  std::size_t pos = 0;
  while (pos < s.size() && words.size() < count) {
    while (pos < s.size() && is_blank(s[pos])) ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && !is_blank(s[pos])) ++pos;
    if (pos > start) words.push_back({s.substr(start, pos - start), start});
  }
  return words;
}

bool iequals(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [&](char x, char y) { return lower(x) == lower(y); });
}

// A word that reads as a cron field (`*`, `0`, `*/10`, `1-5`, `2024`), not as a program.
bool looks_like_field(std::string_view w) {
  return std::all_of(w.begin(), w.end(),
                     [](char c) {
                       return (c >= '0' && c <= '9') || c == '*' || c == ',' || c == '-' ||
                              c == '/';
                     }) &&
         w.find_first_of("0123456789*") != std::string_view::npos;
}

// The cron_expression error of a 5-field schedule, pointed at the field at fault: each field is
// parsed alone (the others `*`), so only an impossible combination (30 February) points at the
// schedule as a whole.
tl::unexpected<located> field_error(const std::vector<word_at>& words, const core::error& whole) {
  for (std::size_t i = 0; i < 5; ++i) {
    std::string probe;
    for (std::size_t k = 0; k < 5; ++k) {
      probe += k == i ? std::string(words[k].text) : std::string("*");
      probe += ' ';
    }
    if (auto alone = cron_expression::parse(probe); !alone) {
      return fail_at(words[i].offset + 1, alone.error().message);
    }
  }
  return fail_at(words[0].offset + 1, whole.message);
}

located_result<cron_expression> parse_schedule(std::string_view line,
                                               const std::vector<word_at>& words,
                                               std::size_t count) {
  const std::string_view text =
      line.substr(words[0].offset, words[count - 1].end() - words[0].offset);
  auto parsed = cron_expression::parse(text);
  if (parsed) return *parsed;
  if (count == 5) return field_error(words, parsed.error());
  return fail_at(words[count - 1].offset + 1, parsed.error().message);
}

// How many of the first words are the schedule; an error for forms we do not run.
located_result<std::size_t> schedule_words(const std::vector<word_at>& words) {
  const std::string_view first = words[0].text;
  if (iequals(first, "@reboot")) {
    return fail_at(words[0].offset + 1,
                   "@reboot is not supported: there is no boot, and a restarted container would "
                   "run it again; run the command before cloudwatch-publisher starts (in the "
                   "entrypoint), or schedule it");
  }
  if (iequals(first, "@every")) {
    if (words.size() < 2) {
      return fail_at(words[0].end() + 1,
                     "@every needs a duration and a command, such as "
                     "'@every 30s /app/check'");
    }
    return std::size_t{2};
  }
  if (first.starts_with('@')) return std::size_t{1};
  if (words.size() < 5) {
    return fail_at(words.back().end() + 1,
                   "a job line needs 5 schedule fields (minute hour day-of-month month "
                   "day-of-week) and a command; this one has " +
                       std::to_string(words.size()) + " words");
  }
  if (words.size() > 5 && looks_like_field(words[5].text)) {
    return fail_at(words[5].offset + 1,
                   "'" + std::string(words[5].text) +
                       "' reads as a sixth schedule field (seconds or a year), which is not "
                       "supported; write 5 fields (minute hour day-of-month month day-of-week), "
                       "and use @every <duration> for intervals under a minute");
  }
  return std::size_t{5};
}

}  // namespace

located_result<job_line> parse_job_line(std::string_view line) {
  const std::vector<word_at> words = first_words(line, words_needed);
  if (words.empty()) return fail_at(1, "an empty line is not a job");
  auto count = schedule_words(words);
  if (!count) return tl::unexpected(count.error());
  auto schedule = parse_schedule(line, words, *count);
  if (!schedule) return tl::unexpected(schedule.error());

  std::size_t start = words[*count - 1].end();
  while (start < line.size() && is_blank(line[start])) ++start;
  std::size_t end = line.size();
  while (end > start && is_blank(line[end - 1])) --end;
  if (start == end) {
    return fail_at(start + 1, "the schedule '" + schedule->text() +
                                  "' has no command after it; add the command to run");
  }
  const std::string_view command = line.substr(start, end - start);
  if (words.size() > *count + 1 && std::find(system_users.begin(), system_users.end(),
                                             words[*count].text) != system_users.end()) {
    return fail_at(start + 1, "'" + std::string(words[*count].text) +
                                  "' reads as the user field of a system crontab "
                                  "(/etc/crontab); jobs run as cloudwatch-publisher's own user, "
                                  "so remove the user field");
  }
  if (command.size() > max_command_bytes) {
    return fail_at(start + 1, "the command is " + std::to_string(command.size()) +
                                  " bytes long; the limit is " + std::to_string(max_command_bytes) +
                                  " (execve's maximum argument); put it in a script");
  }
  return job_line{*schedule, std::string(command), start + 1};
}

}  // namespace cwp::jobs
