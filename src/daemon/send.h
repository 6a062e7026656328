#pragma once
// `send`: publishes one message given on the command line, or every line of an input, to a log
// stream, through the same shipper as the daemon (batch limits, retries, keeping undelivered
// events). Lines are read as a stream: a batch goes out as soon as it is full, when the input has
// been quiet for send_idle_flush, or when its oldest line has waited send_max_delay, so a slow
// pipe's lines arrive promptly and a large input never sits in memory whole.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "config/settings.h"
#include "daemon/app.h"
#include "daemon/exit_code.h"
#include "io/line_source.h"

namespace cwp::daemon {

// A half-full batch goes out when no line arrived for this long...
inline constexpr std::chrono::milliseconds send_idle_flush{500};
// ...or when its oldest line has waited this long (a pipe that never pauses).
inline constexpr std::chrono::seconds send_max_delay{5};
// After a failed delivery the next attempt waits 1 s, doubling up to 30 s (input keeps being read).
inline constexpr std::chrono::seconds send_first_retry{1};
inline constexpr std::chrono::seconds send_max_retry{30};
// The progress line (terminals only) appears after a second and is redrawn this often.
inline constexpr std::chrono::seconds progress_after{1};
inline constexpr std::chrono::milliseconds progress_every{500};

struct send_request {
  std::optional<std::string> message;  // set: publish this; unset: every line of `input`
  io::line_source* input{nullptr};
  std::ostream* status{nullptr};  // the summary line (and progress): stderr
  bool progress{false};           // `status` is a terminal: show a progress line
};

struct send_stats {
  std::uint64_t lines{0};        // lines read, however many pieces each (or 1 for a message)
  std::uint64_t empty{0};        // empty lines skipped
  std::uint64_t split_lines{0};  // lines larger than one event, split into several
  std::uint64_t events{0};
  std::uint64_t bytes{0};    // message bytes of all events
  std::uint64_t batches{0};  // PutLogEvents calls that succeeded
  std::uint64_t retries{0};
  std::uint64_t delivered{0};  // of this run's events and the restored ones
  std::uint64_t restored{0};   // left in the spool by an earlier send
  std::uint64_t kept{0};       // not delivered, kept in the spool for the next send
  std::chrono::duration<double> elapsed{0};
  std::uint64_t not_delivered() const {
    return events + restored > delivered ? events + restored - delivered : 0;
  }
};

// The summary line: counts, retries, time and rate.
std::string summary_line(const send_stats& stats);

exit_code run_send(const config::settings& s, platform& p, const send_request& request);

}  // namespace cwp::daemon
