#include "jobs/job_options.h"

#include <algorithm>
#include <array>
#include <vector>

#include "jobs/job_name.h"
#include "schedule/duration.h"

namespace cwp::jobs {
namespace {

constexpr std::array<std::string_view, 6> keys{"name",    "timeout", "kill_grace",
                                               "overlap", "stream",  "max_output"};
constexpr std::string_view keys_text = "name, timeout, kill_grace, overlap, stream, max_output";

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// "; did you mean 'timeout'?" for a near miss or a part of a key (`grace`, `max_output_bytes`).
std::string suggestion(std::string_view key) {
  for (const std::string_view known : keys) {
    const bool part = key.size() >= 4 && (known.find(key) != std::string_view::npos ||
                                          key.find(known) != std::string_view::npos);
    if (edit_distance(key, known) <= 2 || part) return "; did you mean " + quoted(known) + "?";
  }
  return "; known keys are " + std::string(keys_text);
}

located_result<std::chrono::milliseconds> duration_value(std::string_view key,
                                                         std::string_view value, std::size_t column,
                                                         bool zero_allowed) {
  auto d = schedule::parse_duration(value);
  if (!d) return fail_at(column, std::string(key) + ": " + d.error().message);
  if (!zero_allowed && d->count() == 0) {
    return fail_at(column,
                   std::string(key) + " must be longer than 0; leave it out for no time limit");
  }
  return *d;
}

located_result<void> set_value(std::string_view key, std::string_view value, std::size_t column,
                               job_options& options) {
  if (key == "name") {
    if (auto problem = name_problem(value); !problem.empty()) return fail_at(column, problem);
    options.name = std::string(value);
  } else if (key == "timeout" || key == "kill_grace") {
    auto d = duration_value(key, value, column, key == "kill_grace");
    if (!d) return tl::unexpected(d.error());
    (key == "timeout" ? options.timeout : options.kill_grace) = *d;
  } else if (key == "overlap") {
    if (value == "skip") {
      options.overlap = overlap_policy::skip;
    } else if (value == "allow") {
      options.overlap = overlap_policy::allow;
    } else if (value == "replace") {
      options.overlap = overlap_policy::replace;
    } else {
      return fail_at(column, "overlap " + quoted(value) + " is not skip, allow or replace");
    }
  } else if (key == "stream") {
    if (auto t = job_stream_template(value, "job"); !t) return fail_at(column, t.error().message);
    options.stream = std::string(value);
  } else {
    auto size = parse_output_size(value);
    if (!size) return fail_at(column, "max_output: " + size.error().message);
    if (*size == 0) return fail_at(column, "max_output must be at least 1 byte");
    options.max_output_bytes = *size;
  }
  return {};
}

bool is_set(std::string_view key, const job_options& o) {
  if (key == "name") return o.name.has_value();
  if (key == "timeout") return o.timeout.has_value();
  if (key == "kill_grace") return o.kill_grace.has_value();
  if (key == "overlap") return o.overlap.has_value();
  if (key == "stream") return o.stream.has_value();
  return o.max_output_bytes.has_value();
}

}  // namespace

located_result<void> parse_option_text(std::string_view text, std::size_t column,
                                       job_options& options) {
  bool any = false;
  std::size_t pos = 0;
  while (true) {
    while (pos < text.size() && is_blank(text[pos])) ++pos;
    if (pos == text.size()) break;
    const std::size_t start = pos;
    while (pos < text.size() && !is_blank(text[pos])) ++pos;
    const std::string_view pair = text.substr(start, pos - start);
    const std::size_t key_column = column + start;
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return fail_at(key_column, "expected key=value, found " + quoted(pair) +
                                     " (values cannot contain blanks)");
    }
    const std::string_view key = pair.substr(0, eq);
    const std::string_view value = pair.substr(eq + 1);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      return fail_at(key_column, "unknown job option " + quoted(key) + suggestion(key));
    }
    if (is_set(key, options)) {
      return fail_at(key_column,
                     "job option " + quoted(key) + " is set twice for this job; keep one of them");
    }
    if (value.empty()) {
      return fail_at(key_column + eq + 1, "job option " + quoted(key) + " has no value");
    }
    if (auto ok = set_value(key, value, key_column + eq + 1, options); !ok) return ok;
    if (key == "name") options.name_column = key_column;
    any = true;
  }
  if (!any) {
    return fail_at(column,
                   "an option line needs at least one key=value, such as "
                   "'# cwp: name=backup timeout=10m'");
  }
  return {};
}

core::result<cloudwatch::stream_template> job_stream_template(std::string_view text,
                                                              std::string_view job_name) {
  constexpr std::string_view placeholder = "{job}";
  std::string expanded;
  std::size_t pos = 0;
  for (auto at = text.find(placeholder); at != std::string_view::npos;
       at = text.find(placeholder, pos)) {
    expanded.append(text.substr(pos, at - pos)).append(job_name);
    pos = at + placeholder.size();
  }
  expanded.append(text.substr(pos));
  auto parsed = cloudwatch::stream_template::parse(expanded);
  if (!parsed && parsed.error().message.ends_with("{instance_id}")) {
    // The template's own message lists its placeholders; {job} is one more here.
    parsed.error().message += ", {job}";
  }
  return parsed;
}

core::result<std::uint64_t> parse_output_size(std::string_view text) {
  std::uint64_t value = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > (UINT64_MAX - 9) / 10) {
      return core::fail(core::errc::invalid_argument, quoted(text) + " is too large");
    }
    value = value * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  const std::string_view suffix = text.substr(i);
  std::uint64_t unit = 0;
  if (i == 0) {
    unit = 0;
  } else if (suffix.empty() || suffix == "B") {
    unit = 1;
  } else if (suffix == "k" || suffix == "K" || suffix == "KB" || suffix == "KiB") {
    unit = 1ULL << 10U;
  } else if (suffix == "M" || suffix == "MB" || suffix == "MiB") {
    unit = 1ULL << 20U;
  } else if (suffix == "G" || suffix == "GB" || suffix == "GiB") {
    unit = 1ULL << 30U;
  }
  if (unit == 0) {
    return core::fail(core::errc::invalid_argument,
                      quoted(text) + " is not a size; write bytes, or e.g. 64KiB, 1MiB");
  }
  if (value > UINT64_MAX / unit) {
    return core::fail(core::errc::invalid_argument, quoted(text) + " is too large");
  }
  return value * unit;
}

}  // namespace cwp::jobs
