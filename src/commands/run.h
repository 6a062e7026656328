#pragma once
// `run`: the daemon. The entrypoint checks, then heartbeats on the schedule until SIGTERM/SIGINT.

#include <chrono>

#include "config/settings.h"
#include "daemon/exit_code.h"
#include "daemon/platform.h"
#include "daemon/signals.h"

namespace cwp::commands {

// How long SIGTERM waits for an in-flight delivery: `docker stop` must see us exit within 2 s.
inline constexpr std::chrono::milliseconds shutdown_grace{1500};

// `signals` delivers signals (blocked beforehand by the caller). When a delivery is still stuck
// in the network after the grace period, the process ends through platform::abandon.
daemon::exit_code run_daemon(const config::settings& s, daemon::platform& p,
                             daemon::waiter& signals);

}  // namespace cwp::commands
