#pragma once
// The run loop's test fixture: a fake clock and signal source, an inline delivery runner and a
// scripted AWS, shared by run_loop_test.cpp and run_loop_wake_test.cpp.

#include <gtest/gtest.h>

#include <csignal>
#include <map>
#include <nlohmann/json.hpp>

#include "core/time_format.h"
#include "daemon/run_loop.h"
#include "daemon/startup.h"
#include "support/scripted_platform.h"
#include "support/temp_dir.h"

namespace cwp::daemon::loop_test {

using namespace std::chrono_literals;

// Delivers scripted signals at given fake-clock times; otherwise lets the time pass.
class fake_waiter final : public waiter {
 public:
  explicit fake_waiter(testing::fake_clock& c) : clock_(c) {}
  void at(core::sys_time t, int sig) { script_.emplace(t, sig); }
  // Runs `fn` when the fake time reaches `t` (a clock jump, an outage ending...).
  void on(core::sys_time t, std::function<void()> fn) { actions_.emplace(t, std::move(fn)); }

  std::optional<int> wait_for(std::chrono::milliseconds timeout) override {
    ++waits;
    const auto until = clock_.now() + timeout;
    if (!actions_.empty() && actions_.begin()->first <= until) {
      clock_.advance(actions_.begin()->first - clock_.now());
      auto fn = std::move(actions_.begin()->second);
      actions_.erase(actions_.begin());
      fn();
      return std::nullopt;
    }
    if (!script_.empty() && script_.begin()->first <= until) {
      clock_.advance(script_.begin()->first - clock_.now());
      const int sig = script_.begin()->second;
      script_.erase(script_.begin());
      return sig;
    }
    clock_.advance(timeout);
    return std::nullopt;
  }
  // Like signal_waiter: a clock change (an `on` action that jumps the clock) ends the wait.
  bool notices_clock_changes() const override { return notices; }
  int waits{0};
  bool notices{false};

 private:
  testing::fake_clock& clock_;
  std::multimap<core::sys_time, int> script_;
  std::multimap<core::sys_time, std::function<void()>> actions_;
};

// Runs the job on the caller's thread; can pretend to be stuck.
class inline_runner final : public runner {
 public:
  explicit inline_runner(std::function<void()> job) : job_(std::move(job)) {}
  bool trigger() override {
    if (stuck) return false;
    ++runs;
    job_();
    return true;
  }
  bool busy() const override { return stuck; }
  bool wait_idle(std::chrono::milliseconds /*timeout*/) override { return !stuck; }
  bool stuck{false};
  int runs{0};

 private:
  std::function<void()> job_;
};

constexpr const char* identity = R"(<GetCallerIdentityResponse><GetCallerIdentityResult>
<Arn>arn:aws:iam::123456789012:user/p</Arn><Account>123456789012</Account>
</GetCallerIdentityResult></GetCallerIdentityResponse>)";

class RunLoop : public ::testing::Test, protected testing::scripted_platform {
 protected:
  // 2026-01-01T00:00:00.400Z: not on a second boundary, like a real start.
  RunLoop()
      : scripted_platform({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "secret"}},
                          core::sys_time{std::chrono::seconds{1'767'225'600}} + 400ms),
        published(graph(*this, log)) {
    transport.otherwise([this](const http::request& r) -> core::result<http::response> {
      if (outage) return core::fail(core::errc::network, "connection refused");
      if (r.body.starts_with("Action=GetCallerIdentity")) return http::response{200, {}, identity};
      return http::response{200, {}, "{}"};
    });
  }

  // The heartbeats' graph, as `run` builds it: one attempt per call, no journal.
  static publishing& graph(scripted_platform& world, const logging::logger& log) {
    aws::retry_settings once;
    once.max_attempts = 1;
    world.assemble_aws(local_aws(once));
    return world.assemble_publishing(
        {.target = {.log_group = "/g"}, .limits = {}, .journal_dir = {}}, log);
  }

  // validated false: the start-up check is made here, as `run` makes it before its loop.
  exit_code run(bool validated = true) {
    if (!validated) {
      validated = validate_credentials(clients().sts, log, heartbeat_service::unvalidated_note) ==
                  validation::valid;
    }
    service = std::make_unique<heartbeat_service>(
        heartbeat_service::parts{
            "/g",
            {*cloudwatch::stream_template::parse("heartbeat-{date}"), {"h", ""}},
            &clients().sts,
            &published.shipper,
            &log,
            &log,
            &clock,
            {"h", "test", "@every 1s", "boot", clock.now(), emf},
            health},
        validated);
    inline_runner local([this] {
      ++attempts;
      service->deliver();
    });
    runner_ = &local;
    schedule::scheduler sched(cadence, schedule::splay{}, 1);
    return run_loop({.scheduler = heartbeats ? &sched : nullptr,
                     .clock = &clock,
                     .signals = &signals,
                     .deliveries = &local,
                     .heartbeats = service.get(),
                     .log = &log,
                     .on_reload = [this] { ++reloads; },
                     .children = &children});
  }

  // Timestamps (ms) of every event that reached PutLogEvents successfully, in send order.
  std::vector<std::int64_t> delivered() const {
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < transport.requests().size(); ++i) {
      const auto& r = transport.requests()[i];
      if (r.find_header("X-Amz-Target") != "Logs_20140328.PutLogEvents") continue;
      if (i >= outcomes.size() || !outcomes[i]) continue;
      const auto body = nlohmann::json::parse(r.body);
      for (const auto& e : body["logEvents"]) out.push_back(e["timestamp"].get<std::int64_t>());
    }
    return out;
  }

  static std::int64_t ms(core::sys_time t) { return core::to_epoch_millis(t); }

  logging::logger log{sink, clock, "cloudwatch-publisher"};
  publishing& published;
  schedule::cron_expression cadence = *schedule::cron_expression::parse("@every 1s");
  std::optional<cloudwatch::emf_settings> emf;
  std::unique_ptr<heartbeat_service> service;
  fake_waiter signals{clock};
  runner* runner_{nullptr};
  bool outage{false};
  std::vector<bool> outcomes;  // per request: did it succeed (filled by the fallback wrapper)
  int reloads{0};
  health_recorder* health{nullptr};
  bool heartbeats{true};  // false: CWP_SCHEDULE=off
  int attempts{0};        // delivery runs started

  void track_outcomes() {
    transport.otherwise([this](const http::request& r) -> core::result<http::response> {
      outcomes.push_back(!outage);
      if (outage) return core::fail(core::errc::network, "connection refused");
      if (r.body.starts_with("Action=GetCallerIdentity")) return http::response{200, {}, identity};
      return http::response{200, {}, "{}"};
    });
  }
};

}  // namespace cwp::daemon::loop_test
