#pragma once
// `check`: the operator's preflight. Walks through what publishing depends on (region,
// endpoints, credentials, caller identity, clock, log group, log stream, write access) and
// reports each as one result, with a remediation hint when it fails (check_hints.h). Read-only
// unless `write` is set: then the group and stream are created when missing and one test event
// is put, exactly the calls a heartbeat makes. Secrets (secret key, session token, signatures)
// never appear in a result.

#include <ostream>

#include "commands/check_report.h"
#include "config/settings.h"
#include "daemon/exit_code.h"
#include "daemon/platform.h"

namespace cwp::commands {

struct check_options {
  bool write{false};   // create group/stream when missing and put one test event
  bool json{false};    // run_check prints the report as JSON (else text)
  bool colour{false};  // text report in colour (a person at a terminal)
};

// Runs every check in order. Uses only the platform's transport, clock and credentials; logs
// nothing.
check_report run_checks(const config::settings& s, const daemon::platform& p,
                        const check_options& options);

// The command: run_checks, the report printed on `out` as the options say; returns its code.
daemon::exit_code run_check(const config::settings& s, const daemon::platform& p,
                            const check_options& options, std::ostream& out);

}  // namespace cwp::commands
