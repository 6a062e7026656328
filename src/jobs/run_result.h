#pragma once
// The result of one run of a job, and its writers: the result event (one JSON document in the
// job's log stream, with the job metrics when EMF is on) and our own log line about the run.
// The runner measures and fills a run_result; these functions only render it. docs/jobs.md
// lists every field.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloudwatch/emf.h"
#include "cloudwatch/logs_client.h"
#include "core/clock.h"
#include "logging/logger.h"

namespace cwp::jobs {

enum class outcome {
  success,  // exited with status 0
  failure,  // exited non-zero, was killed by a signal, or could not be started
  timeout,  // still running at its timeout and stopped (SIGTERM, then SIGKILL)
  skipped,  // due while its previous run was still going (overlap=skip): never started
};

// "success", "failure", "timeout", "skipped": the result event's `outcome`.
std::string_view to_string(outcome o);

// How much of the output's end a failed run reports: enough for a stack trace or the last
// error lines, small enough that a result event stays far below CloudWatch's event size limit.
inline constexpr std::size_t output_tail_bytes = std::size_t{4} << 10U;

// The last output_tail_bytes of a run's output, as the runner sees it pass (all of it, also
// what max_output dropped). Memory stays under 2 x output_tail_bytes whatever the output size.
class output_tail {
 public:
  void append(std::string_view bytes);
  // The kept bytes, starting at a UTF-8 character boundary (a character the cut split is
  // dropped); invalid UTF-8 inside is left to the JSON writer, which replaces it.
  std::string text() const;

 private:
  std::string kept_;
  bool cut_{false};  // output was dropped before kept_
};

struct run_result {
  std::string job;       // job_spec::name
  std::string run_id;    // make_run_id()
  std::string schedule;  // the schedule as written; empty for a run without one (exec)
  core::sys_time scheduled;
  core::sys_time started;                 // skipped: when the run was skipped
  core::sys_time ended;                   // skipped: the same as started
  std::chrono::milliseconds duration{0};  // measured on the monotonic clock; 0 when skipped
  outcome result{outcome::success};
  // Exactly one of these when the process ended; neither when it never started (skipped, or
  // it could not be started: then `reason` says why).
  std::optional<int> exit_code;
  std::optional<int> signal;      // the signal that ended it (SIGKILL after a timeout, SIGSEGV...)
  std::string reason;             // why it failed without an exit status, or why it was skipped
  std::uint64_t output_lines{0};  // every line the run wrote, stdout and stderr
  std::uint64_t output_bytes{0};
  bool output_truncated{false};  // max_output was reached: the rest was not published
  std::string output_tail;       // output_tail::text(); reported on failure and timeout only
};

// Unique per run: "<boot id>-<job>-<sequence>", as heartbeat ids are "<boot id>-<sequence>".
// The boot id is random per process start (cloudwatch::new_boot_id), the sequence counts the
// job's runs from 1, so ids never repeat across jobs, restarts or hosts.
std::string make_run_id(std::string_view boot_id, std::string_view job, std::uint64_t sequence);

// "SIGTERM", "SIGKILL", ...; "SIG<n>" for a number without a name here.
std::string signal_name(int signal);

// The result event's field names: Logs Insights queries (the dashboard's among them) read
// these, so they are named once, here. Top-level and snake_case, as Logs Insights discovers
// the fields of JSON events.
namespace result_field {
inline constexpr std::string_view event = "event";  // always result_event_name
inline constexpr std::string_view job = "job";
inline constexpr std::string_view run_id = "run_id";
inline constexpr std::string_view outcome = "outcome";
inline constexpr std::string_view host = "host";
inline constexpr std::string_view schedule = "schedule";
inline constexpr std::string_view scheduled = "scheduled";
inline constexpr std::string_view start = "start";
inline constexpr std::string_view end = "end";
inline constexpr std::string_view duration_ms = "duration_ms";
inline constexpr std::string_view exit_code = "exit_code";
inline constexpr std::string_view signal = "signal";
inline constexpr std::string_view reason = "reason";
inline constexpr std::string_view output_lines = "output_lines";
inline constexpr std::string_view output_bytes = "output_bytes";
inline constexpr std::string_view output_truncated = "output_truncated";
inline constexpr std::string_view output_tail = "output_tail";
}  // namespace result_field

// The `event` of a result, which tells it from the run's output lines in the same stream (and
// from heartbeats, whose event is "heartbeat").
inline constexpr std::string_view result_event_name = "job_result";

struct result_source {
  std::string host;
  std::optional<cloudwatch::emf_settings> emf;  // set: results carry the job metrics (EMF)
};

// The result event, timestamped at the run's end (when the outcome became known):
// {"event":"job_result","job":...,"run_id":...,"outcome":...,"host":...,"schedule":...,
//  "scheduled":...,"start":...,"end":...,"duration_ms":N,"exit_code":N | "signal":"SIGKILL",
//  "reason":...,"output_lines":N,"output_bytes":N,"output_truncated":false,"output_tail":...}
// `reason` only when set, `output_tail` only for failure and timeout. With source.emf the
// document also carries the job metrics (metric_values) and must be sent with the EMF header.
cloudwatch::log_event make_result_event(const run_result& result, const result_source& source);

// What a result counts as in the job metrics: success is a success; failure and timeout are
// failures (a job that hangs until killed did not do its work); skipped is neither and has no
// duration, because the run that is still going reports its own outcome when it ends.
cloudwatch::job_metric_values metric_values(const run_result& result);

// Our own log line about a run: INFO on success, WARN when skipped, ERROR on failure and
// timeout (so `grep ERROR` finds failed runs), with the message and fields below.
logging::level log_level(const run_result& result);
// "job backup succeeded in 1.2s", "job backup failed: exit code 1", "job backup failed: killed
// by SIGSEGV", "job backup failed: <reason>", "job backup timed out after 10m0s",
// "job backup skipped: <reason>".
std::string log_message(const run_result& result);
// job, run_id, outcome, duration_ms, exit_code or signal, output_lines, output_bytes.
std::vector<logging::field> log_fields(const run_result& result);

}  // namespace cwp::jobs
