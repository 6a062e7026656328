#include "daemon/health.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/atomic_file.h"
#include "core/time_format.h"

namespace cwp::daemon {
namespace {

using json = nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::seconds;

json time_or_null(const std::optional<core::sys_time>& t) {
  return t ? json(core::format_iso8601_millis(*t)) : json(nullptr);
}

core::result<std::optional<core::sys_time>> optional_time(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::optional<core::sys_time>{};
  if (!j[key].is_string())
    return core::fail(core::errc::parse, std::string(key) + " is not a time");
  auto t = core::parse_iso8601(j[key].get<std::string>());
  if (!t) return core::fail(core::errc::parse, std::string(key) + " is not an ISO-8601 time");
  return std::optional<core::sys_time>{*t};
}

long long whole_seconds(core::sys_time::duration d) {
  return std::max<long long>(0, duration_cast<seconds>(d).count());
}

}  // namespace

std::string to_json(const health_state& s) {
  const json j = {{"pid", s.pid},
                  {"schedule", s.schedule},
                  {"splay_max_ms", s.splay_max.count()},
                  {"started", core::format_iso8601_millis(s.started)},
                  {"last_attempt", time_or_null(s.last_attempt)},
                  {"last_success", time_or_null(s.last_success)},
                  {"undelivered", s.undelivered}};
  return j.dump() + "\n";
}

core::result<health_state> parse_health_state(std::string_view text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return core::fail(core::errc::parse, "not a JSON object");
  }
  health_state s;
  try {
    s.pid = j.value("pid", 0LL);
    s.schedule = j.at("schedule").get<std::string>();
    s.splay_max = std::chrono::milliseconds{j.value("splay_max_ms", 0LL)};
    s.undelivered = j.value("undelivered", std::size_t{0});
  } catch (const json::exception&) {
    return core::fail(core::errc::parse, "missing or mistyped field (schedule, pid, undelivered)");
  }
  auto started = optional_time(j, "started");
  if (!started) return tl::unexpected(started.error());
  if (!*started) return core::fail(core::errc::parse, "started is missing");
  s.started = **started;
  auto attempt = optional_time(j, "last_attempt");
  if (!attempt) return tl::unexpected(attempt.error());
  s.last_attempt = *attempt;
  auto success = optional_time(j, "last_success");
  if (!success) return tl::unexpected(success.error());
  s.last_success = *success;
  return s;
}

core::sys_time healthy_until(const health_state& s, const schedule::cron_expression& schedule) {
  const core::sys_time base = s.last_success.value_or(s.started);
  const core::sys_time second_tick = schedule.next_after(schedule.next_after(base));
  return second_tick + s.splay_max + health_slack;
}

health_verdict judge_health(const health_state& s, core::sys_time now) {
  auto schedule = schedule::cron_expression::parse(s.schedule);
  if (!schedule)
    return {false, "invalid schedule '" + s.schedule + "': " + schedule.error().message};
  const core::sys_time until = healthy_until(s, *schedule);
  const core::sys_time base = s.last_success.value_or(s.started);
  const std::string limit = std::to_string(whole_seconds(until - base)) + " s";
  const std::string age = std::to_string(whole_seconds(now - base)) + " s";
  if (now <= until) {
    if (s.last_success)
      return {true, "last heartbeat delivered " + age + " ago (limit " + limit + ")"};
    return {true, "started " + age + " ago, no heartbeat delivered yet (limit " + limit + ")"};
  }
  std::string why = s.last_success
                        ? "last heartbeat delivered " + age + " ago, expected within " + limit
                        : "no heartbeat delivered since the daemon started " + age +
                              " ago, expected within " + limit;
  why += " (schedule " + s.schedule + "; " + std::to_string(s.undelivered) + " undelivered";
  if (s.last_attempt) {
    why += ", last attempt " + std::to_string(whole_seconds(now - *s.last_attempt)) + " s ago";
  }
  return {false, why + ")"};
}

core::result<void> write_file_atomically(const std::string& path, std::string_view content) {
  return core::write_file_atomically(path, content, {.file_mode = 0644, .create_directory = true});
}

void health_recorder::start() { write(); }

void health_recorder::attempt(core::sys_time at, bool delivered, std::size_t undelivered) {
  state_.last_attempt = at;
  if (delivered) state_.last_success = at;
  state_.undelivered = undelivered;
  write();
}

void health_recorder::write() {
  auto written = write_file_atomically(path_, to_json(state_));
  if (written) {
    failing_ = false;
    return;
  }
  if (failing_) return;
  failing_ = true;
  log_->warn("Could not write the health file: " + written.error().message +
                 "; `health` will report unhealthy (set CWP_HEALTH_FILE to a writable path)",
             {logging::kv("health_file", path_)});
}

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
      log.error(
          "Unhealthy: cannot read the health file " + s.health_file + ": " + std::strerror(err),
          {file});
    }
    return exit_code::failed;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto state = parse_health_state(text.str());
  if (!state) {
    log.error(
        "Unhealthy: the health file " + s.health_file + " is not valid: " + state.error().message,
        {file});
    return exit_code::failed;
  }
  const auto verdict = judge_health(*state, clock.now());
  if (!verdict.healthy) {
    log.error("Unhealthy: " + verdict.reason, {file, logging::kv("pid", state->pid)});
    return exit_code::failed;
  }
  log.info("Healthy: " + verdict.reason, {file, logging::kv("pid", state->pid)});
  return exit_code::ok;
}

}  // namespace cwp::daemon
