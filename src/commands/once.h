#pragma once
// `once`: the old entrypoint checks, then one heartbeat (the old publish-log.sh).

#include "config/settings.h"
#include "daemon/exit_code.h"
#include "daemon/platform.h"

namespace cwp::commands {

daemon::exit_code run_once(const config::settings& s, daemon::platform& p);

}  // namespace cwp::commands
