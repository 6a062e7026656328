#pragma once
// The world a command runs in: environment, clock, log sink, transport, credentials and
// randomness. cli hands in the real ones; tests hand in fakes (tests/support/scripted_platform.h).
// Nothing here is owned: every pointer must outlive the command.

#include <functional>

#include "aws/credentials.h"
#include "core/child_registry.h"
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
  // Ends the process at once with this code, without waiting for a thread stuck in a request.
  std::function<void(exit_code)> abandon;
  // The children this process spawns and waits for (credential_process), which the reaper of
  // `run` leaves to them.
  core::child_registry* children{nullptr};
};

}  // namespace cwp::daemon
