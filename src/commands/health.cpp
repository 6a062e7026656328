#include "commands/health.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "daemon/health.h"

namespace cwp::commands {

using daemon::exit_code;

exit_code run_health(const config::settings& s, const core::clock& clock,
                     const logging::logger& log) {
  const logging::field file = logging::kv("health_file", s.health_file);
  std::error_code missing;
  const bool exists = std::filesystem::exists(s.health_file, missing);
  std::ifstream in(s.health_file, std::ios::binary);
  if (!in) {
    const int err = errno;
    if (!exists && !missing) {
      log.error("Unhealthy: no health file at " + s.health_file +
                    ": the daemon is not running, has not started yet, or writes elsewhere "
                    "(CWP_HEALTH_FILE)",
                {file});
    } else {
      log.error("Unhealthy: cannot read the health file " + s.health_file + ": " +
                    std::system_category().message(err),
                {file});
    }
    return exit_code::failed;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto state = daemon::parse_health_state(text.str());
  if (!state) {
    log.error(
        "Unhealthy: the health file " + s.health_file + " is not valid: " + state.error().message,
        {file});
    return exit_code::failed;
  }
  const auto verdict = daemon::judge_health(*state, clock.now());
  if (!verdict.healthy) {
    log.error("Unhealthy: " + verdict.reason, {file, logging::kv("pid", state->pid)});
    return exit_code::failed;
  }
  log.info("Healthy: " + verdict.reason, {file, logging::kv("pid", state->pid)});
  return exit_code::ok;
}

}  // namespace cwp::commands
