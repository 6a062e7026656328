#include "jobs/env_line.h"

#include <algorithm>
#include <array>

namespace cwp::jobs {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::size_t skip_blanks(std::string_view s, std::size_t pos) {
  while (pos < s.size() && is_blank(s[pos])) ++pos;
  return pos;
}

std::size_t name_end(std::string_view s, std::size_t pos) {
  while (pos < s.size() && !is_blank(s[pos]) && s[pos] != '=') ++pos;
  return pos;
}

bool is_quote(char c) { return c == '"' || c == '\''; }

bool is_variable_name(std::string_view name) {
  const auto name_char = [](char c) {
    return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  return !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
         std::all_of(name.begin(), name.end(), name_char);
}

// Values that mean UTC to the C library and to tzdata.
bool is_utc(std::string_view zone) {
  constexpr std::array<std::string_view, 8> utc{"UTC",     "UTC0",    "Etc/UTC", "GMT",
                                                "Etc/GMT", "Etc/UCT", "UCT",     "Zulu"};
  if (zone.starts_with(':')) zone.remove_prefix(1);  // TZ=":UTC" names a zoneinfo file
  return zone.empty() || std::find(utc.begin(), utc.end(), zone) != utc.end();
}

}  // namespace

bool is_env_line(std::string_view line) {
  const std::size_t start = skip_blanks(line, 0);
  const std::size_t end = name_end(line, start);
  return end > start && skip_blanks(line, end) < line.size() && line[skip_blanks(line, end)] == '=';
}

located_result<env_assignment> parse_env_line(std::string_view line) {
  env_assignment out;
  const std::size_t start = skip_blanks(line, 0);
  const std::size_t end = name_end(line, start);
  std::string_view name = line.substr(start, end - start);
  out.name_column = start + 1;
  if (name.size() >= 2 && is_quote(name.front()) && name.back() == name.front()) {
    name = name.substr(1, name.size() - 2);
  }
  if (!is_variable_name(name)) {
    return fail_at(out.name_column,
                   "'" + std::string(name) +
                       "' is not a variable name; use letters, digits and _, not starting with "
                       "a digit");
  }
  out.name = std::string(name);

  const std::size_t value_start = skip_blanks(line, skip_blanks(line, end) + 1);
  std::size_t value_end = line.size();
  while (value_end > value_start && is_blank(line[value_end - 1])) --value_end;
  out.value_column = value_start + 1;
  std::string_view value = line.substr(value_start, value_end - value_start);
  if (!value.empty() && is_quote(value[0])) {
    const auto close = value.find(value[0], 1);
    if (close == std::string_view::npos) {
      return fail_at(out.value_column, "the quote that opens the value of " + out.name +
                                           " is not closed; close it, or remove it");
    }
    if (close + 1 != value.size()) {
      return fail_at(out.value_column + close + 1,
                     "text after the closing quote of " + out.name +
                         "'s value; put all of the value inside the quotes");
    }
    value = value.substr(1, close - 1);
    ++out.value_column;
  }
  out.value = std::string(value);
  return out;
}

located_result<std::string> check_cron_variable(const env_assignment& a) {
  const std::size_t column = a.value_column;
  if (a.name == "SHELL" && !a.value.starts_with('/')) {
    return fail_at(column, "SHELL must be an absolute path such as /bin/sh, not '" + a.value + "'");
  }
  if (a.name == "CRON_TZ" && !is_utc(a.value)) {
    return fail_at(column, "CRON_TZ=" + a.value +
                               ": schedules are evaluated in UTC and cannot take a time zone; "
                               "write the times in UTC and remove this line");
  }
  if (a.name == "TZ" && !is_utc(a.value)) {
    return "TZ=" + a.value +
           " is passed to the jobs, but schedules stay in UTC; write the times in UTC";
  }
  if ((a.name == "MAILTO" || a.name == "MAILFROM") && !a.value.empty()) {
    return a.name +
           " is passed to the jobs but sends no mail: job output and results go to CloudWatch "
           "Logs";
  }
  if (a.name == "RANDOM_DELAY") {
    return "RANDOM_DELAY is passed to the jobs but does not delay them: jobs start on time";
  }
  if (a.name == "USER" || a.name == "LOGNAME") {
    return a.name + " is passed to the jobs, but they run as cloudwatch-publisher's own user";
  }
  return std::string();
}

}  // namespace cwp::jobs
