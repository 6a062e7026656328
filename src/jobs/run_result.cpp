#include "jobs/run_result.h"

#include <array>
#include <csignal>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/time_format.h"
#include "schedule/duration.h"

namespace cwp::jobs {
namespace {

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// A UTF-8 character is at most 4 bytes: at most 3 continuation bytes precede its start.
constexpr std::size_t max_continuation_bytes = 3;

long long as_count(std::uint64_t n) {
  return n > static_cast<std::uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<long long>(n);
}

bool reports_tail(outcome o) { return o == outcome::failure || o == outcome::timeout; }

// "exit code 1", "killed by SIGSEGV", or the reason: how a failed run ended.
std::string how_it_ended(const run_result& r) {
  if (r.exit_code) return "exit code " + std::to_string(*r.exit_code);
  if (r.signal) return "killed by " + signal_name(*r.signal);
  return r.reason.empty() ? std::string("no exit status") : r.reason;
}

}  // namespace

std::string_view to_string(outcome o) {
  switch (o) {
    case outcome::success:
      return "success";
    case outcome::failure:
      return "failure";
    case outcome::timeout:
      return "timeout";
    case outcome::skipped:
      return "skipped";
  }
  return "failure";
}

void output_tail::append(std::string_view bytes) {
  if (bytes.size() >= output_tail_bytes) {
    cut_ = cut_ || !kept_.empty() || bytes.size() > output_tail_bytes;
    kept_.assign(bytes.substr(bytes.size() - output_tail_bytes));
    return;
  }
  kept_.append(bytes);
  // Trimmed only when twice the size, so appending stays amortised O(bytes).
  if (kept_.size() >= 2 * output_tail_bytes) {
    kept_.erase(0, kept_.size() - output_tail_bytes);
    cut_ = true;
  }
}

std::string output_tail::text() const {
  std::size_t from = kept_.size() > output_tail_bytes ? kept_.size() - output_tail_bytes : 0;
  // Only when bytes were cut off before `from` can a character have been split.
  if (from > 0 || cut_) {
    for (std::size_t n = 0;
         n < max_continuation_bytes && from < kept_.size() && utf8_continuation(kept_[from]); ++n) {
      ++from;
    }
  }
  return kept_.substr(from);
}

std::string make_run_id(std::string_view boot_id, std::string_view job, std::uint64_t sequence) {
  std::string id;
  id.reserve(boot_id.size() + job.size() + 22);
  id.append(boot_id).append("-").append(job).append("-").append(std::to_string(sequence));
  return id;
}

std::string signal_name(int signal) {
  static constexpr std::array<std::pair<int, std::string_view>, 15> names = {{
      {SIGHUP, "SIGHUP"},
      {SIGINT, "SIGINT"},
      {SIGQUIT, "SIGQUIT"},
      {SIGILL, "SIGILL"},
      {SIGTRAP, "SIGTRAP"},
      {SIGABRT, "SIGABRT"},
      {SIGBUS, "SIGBUS"},
      {SIGFPE, "SIGFPE"},
      {SIGKILL, "SIGKILL"},
      {SIGUSR1, "SIGUSR1"},
      {SIGSEGV, "SIGSEGV"},
      {SIGUSR2, "SIGUSR2"},
      {SIGPIPE, "SIGPIPE"},
      {SIGALRM, "SIGALRM"},
      {SIGTERM, "SIGTERM"},
  }};
  for (const auto& [number, name] : names) {
    if (number == signal) return std::string(name);
  }
  return "SIG" + std::to_string(signal);
}

cloudwatch::log_event make_result_event(const run_result& result, const result_source& source) {
  namespace f = result_field;
  nlohmann::ordered_json j;
  const auto set = [&j](std::string_view key, auto value) { j[std::string(key)] = value; };
  set(f::event, result_event_name);
  set(f::job, result.job);
  set(f::run_id, result.run_id);
  set(f::outcome, to_string(result.result));
  set(f::host, source.host);
  set(f::schedule, result.schedule);
  set(f::scheduled, core::format_iso8601_millis(result.scheduled));
  set(f::start, core::format_iso8601_millis(result.started));
  set(f::end, core::format_iso8601_millis(result.ended));
  set(f::duration_ms, result.duration.count());
  if (result.exit_code) set(f::exit_code, *result.exit_code);
  if (result.signal) set(f::signal, signal_name(*result.signal));
  if (!result.reason.empty()) set(f::reason, result.reason);
  set(f::output_lines, result.output_lines);
  set(f::output_bytes, result.output_bytes);
  set(f::output_truncated, result.output_truncated);
  if (reports_tail(result.result)) set(f::output_tail, result.output_tail);
  const auto timestamp_ms = core::to_epoch_millis(result.ended);
  if (source.emf) {
    cloudwatch::add_job_metrics(j, *source.emf, result.job, metric_values(result), timestamp_ms);
  }
  return cloudwatch::log_event{
      timestamp_ms, j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)};
}

cloudwatch::job_metric_values metric_values(const run_result& result) {
  cloudwatch::job_metric_values values;
  values.success = result.result == outcome::success;
  values.failure = result.result == outcome::failure || result.result == outcome::timeout;
  if (result.result != outcome::skipped) values.duration = result.duration;
  return values;
}

logging::level log_level(const run_result& result) {
  switch (result.result) {
    case outcome::success:
      return logging::level::info;
    case outcome::skipped:
      return logging::level::warn;
    case outcome::failure:
    case outcome::timeout:
      return logging::level::error;
  }
  return logging::level::error;
}

std::string log_message(const run_result& result) {
  const std::string job = "job " + result.job;
  const auto took = schedule::format_duration(result.duration);
  switch (result.result) {
    case outcome::success:
      return job + " succeeded in " + took;
    case outcome::failure:
      return job + " failed: " + how_it_ended(result);
    case outcome::timeout:
      return job + " timed out after " + took;
    case outcome::skipped:
      return job + " skipped: " + (result.reason.empty() ? "not started" : result.reason);
  }
  return job + " failed";
}

std::vector<logging::field> log_fields(const run_result& result) {
  namespace f = result_field;
  const auto key = [](std::string_view k) { return std::string(k); };
  std::vector<logging::field> fields = {
      logging::kv(key(f::job), result.job),
      logging::kv(key(f::run_id), result.run_id),
      logging::kv(key(f::outcome), std::string(to_string(result.result))),
      logging::kv(key(f::duration_ms), static_cast<long long>(result.duration.count())),
  };
  if (result.exit_code) {
    fields.push_back(logging::kv(key(f::exit_code), static_cast<long long>(*result.exit_code)));
  }
  if (result.signal) fields.push_back(logging::kv(key(f::signal), signal_name(*result.signal)));
  fields.push_back(logging::kv(key(f::output_lines), as_count(result.output_lines)));
  fields.push_back(logging::kv(key(f::output_bytes), as_count(result.output_bytes)));
  return fields;
}

}  // namespace cwp::jobs
