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
                  {"failing_since", time_or_null(s.failing_since)},
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
  auto failing = optional_time(j, "failing_since");  // absent in files of older versions
  if (!failing) return tl::unexpected(failing.error());
  s.failing_since = *failing;
  return s;
}

core::sys_time healthy_until(const health_state& s, const schedule::cron_expression& schedule) {
  const core::sys_time base = s.last_success.value_or(s.started);
  const core::sys_time second_tick = schedule.next_after(schedule.next_after(base));
  return second_tick + s.splay_max + health_slack;
}

namespace {

// CWP_SCHEDULE=off: alive (a delivery attempt at least every health_keepalive) and delivering.
health_verdict judge_without_heartbeats(const health_state& s, core::sys_time now) {
  const core::sys_time base = s.last_attempt.value_or(s.started);
  const auto alive_limit = 2 * health_keepalive + health_slack;
  const std::string limit = std::to_string(alive_limit.count()) + " s";
  const std::string age = std::to_string(whole_seconds(now - base)) + " s";
  const std::string what = s.last_attempt ? "last delivery attempt " + age + " ago"
                                          : "started " + age + " ago, no delivery attempt yet";
  if (now - base > alive_limit) {
    return {false, what + ", expected every " + std::to_string(health_keepalive.count()) +
                       " s without heartbeats (limit " + limit +
                       "): the daemon is hung or not running"};
  }
  const std::string heartbeats_off = "no heartbeats (CWP_SCHEDULE=off); ";
  if (!s.failing_since) return {true, heartbeats_off + what + " (limit " + limit + ")"};
  const std::string failing = "delivery to CloudWatch Logs failing for " +
                              std::to_string(whole_seconds(now - *s.failing_since)) + " s";
  const std::string failing_limit = std::to_string(health_failing_limit.count()) + " s";
  if (now - *s.failing_since > health_failing_limit) {
    return {false, failing + ", limit " + failing_limit + " (" + heartbeats_off +
                       std::to_string(s.undelivered) + " undelivered, " + what + ")"};
  }
  return {true, heartbeats_off + what + "; " + failing + " (limit " + failing_limit + ")"};
}

}  // namespace

health_verdict judge_health(const health_state& s, core::sys_time now) {
  if (s.schedule == no_heartbeat_schedule) return judge_without_heartbeats(s, now);
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
  // Rewritten after every attempt and read only while the daemon runs: it must be whole, not
  // survive a power loss, so no fsync (it was most of a heartbeat's CPU time).
  return core::write_file_atomically(
      path, content, {.file_mode = 0644, .create_directory = true, .durable = false});
}

void health_recorder::start() { write(); }

void health_recorder::attempt(core::sys_time at, attempt_result result, std::size_t undelivered) {
  state_.last_attempt = at;
  if (result == attempt_result::delivered) state_.last_success = at;
  if (result != attempt_result::failed) {
    state_.failing_since.reset();
  } else if (!state_.failing_since) {
    state_.failing_since = at;
  }
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

}  // namespace cwp::daemon
