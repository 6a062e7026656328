#pragma once
// `exec`: runs one command now, as a one-shot scheduler (Kubernetes CronJob, ECS scheduled
// task, EventBridge) would start it, and records the run as a crontab job's: every output line
// an event of the job's stream (and copied to our stdout/stderr, so `kubectl logs` still shows
// it), then the result event (EMF with CWP_EMF_NAMESPACE) and our own log line. SIGTERM and
// SIGINT are forwarded to the command. The exit code is the command's (128+n when a signal
// ended it; 127 when it could not be started), whether or not CloudWatch Logs was reachable:
// what could not be delivered is kept in the spool (CWP_SPOOL_DIR/exec) for the next exec, and
// an ERROR line says so.

#include <string>
#include <vector>

#include "config/settings.h"
#include "daemon/exit_code.h"
#include "daemon/platform.h"
#include "daemon/signals.h"

namespace cwp::commands {

// The exit code of a command that could not be started (as shells have it).
inline constexpr int exec_not_started = 127;

struct exec_request {
  std::string job;                   // --job; empty: derived from the command
  std::vector<std::string> command;  // program and arguments, executed without a shell
  int copy_stdout{1};                // where the command's output is copied (-1: not copied)
  int copy_stderr{2};
};

// The daemon's signals must be blocked (daemon::block_daemon_signals) before any thread
// starts; `signals` reads them. Returns the process's exit code.
int run_exec(const config::settings& s, daemon::platform& p, const exec_request& request,
             daemon::waiter& signals);

}  // namespace cwp::commands
