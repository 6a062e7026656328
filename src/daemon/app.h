#pragma once
// The composition root: wires settings, clock, transport, credentials and log sink into the
// AWS clients and runs a subcommand. The only place that picks concrete types is the caller of
// these functions (cli), which hands in the real world; tests hand in fakes.

#include <functional>

#include "aws/credentials.h"
#include "config/settings.h"
#include "core/clock.h"
#include "core/env.h"
#include "daemon/exit_code.h"
#include "daemon/signals.h"
#include "http/transport.h"
#include "logging/logger.h"

namespace cwp::daemon {

struct platform {
  core::environment env;
  core::clock* clock{nullptr};
  logging::sink* sink{nullptr};
  http::transport* transport{nullptr};
  aws::credentials_provider* credentials{nullptr};
  std::function<double()> uniform01;  // jitter and splay randomness, [0, 1)
  // Ends the process at once with this code, without waiting for a thread stuck in a request.
  std::function<void(exit_code)> abandon;
};

// `once`: the old entrypoint checks, then one heartbeat (the old publish-log.sh).
exit_code run_once(const config::settings& s, platform& p);

// How long SIGTERM waits for an in-flight delivery: `docker stop` must see us exit within 2 s.
inline constexpr std::chrono::milliseconds shutdown_grace{1500};

// `run`: the entrypoint checks, then heartbeats on the schedule until SIGTERM/SIGINT.
// `signals` delivers signals (blocked beforehand by the caller). When a delivery is still stuck
// in the network after the grace period, the process ends through platform::abandon.
exit_code run_daemon(const config::settings& s, platform& p, waiter& signals);

}  // namespace cwp::daemon
