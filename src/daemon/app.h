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
};

// `once`: the old entrypoint checks, then one heartbeat (the old publish-log.sh).
exit_code run_once(const config::settings& s, platform& p);

}  // namespace cwp::daemon
