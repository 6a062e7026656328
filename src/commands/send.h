#pragma once
// `send`: publishes one message given on the command line, or every line of an input, to a log
// stream, through the same shipper as the daemon (batch limits, retries, keeping undelivered
// events). Lines are read as a stream and batched by a `sender` (sender.h), so a slow pipe's
// lines arrive promptly and a large input never sits in memory whole.

#include <optional>
#include <ostream>
#include <string>

#include "commands/sender.h"
#include "config/settings.h"
#include "daemon/exit_code.h"
#include "daemon/platform.h"
#include "io/line_source.h"

namespace cwp::commands {

struct send_request {
  std::optional<std::string> message;  // set: publish this; unset: every line of `input`
  io::line_source* input{nullptr};
  std::ostream* status{nullptr};  // the summary line (and progress): stderr
  bool progress{false};           // `status` is a terminal: show a progress line
};

daemon::exit_code run_send(const config::settings& s, daemon::platform& p,
                           const send_request& request);

}  // namespace cwp::commands
