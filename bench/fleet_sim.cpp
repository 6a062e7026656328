// fleet_sim: a fleet of N daemons on one log group, simulated with the project's own decision
// code, for bench/run. Every host has the real schedule::scheduler (with its splay draws), the
// real cloudwatch::stream_precreator (tomorrow's stream, once a day at a random moment) and
// delivers through the real cloudwatch::publisher (put first; ResourceNotFound → create, retry)
// and logs_client, whose requests go to an in-memory CloudWatch Logs (`world`) that counts every
// call per simulated second. Nothing here decides when to call what: it only moves time.
//
//   fleet_sim day HOSTS SPLAY OUT.json [SAMPLE]
//                                         cold start at 12:00 UTC on an existing group and
//                                         stream, then the whole next day and its midnight
//   fleet_sim splay-table OUT.json        PutLogEvents peak of N hosts for a list of splays
//   fleet_sim window HOSTS SCHEDULE START SECONDS OUT.json [STREAM…]
//                                         a short window from a start at once at START (ISO
//                                         8601) with the group and STREAMs existing: what the
//                                         calibration run of real daemons is compared with
//
// Cost: signing every request of 10,000 hosts for a day takes minutes, so hosts 0–99 (SAMPLE)
// deliver through the publisher at every tick; the others do so whenever their stream name changes
// (the cold start, the day roll-over) and count one PutLogEvents otherwise, which is what the
// sample hosts' calls show the publisher doing into an existing stream (checked: `sample_check`).
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "aws/credentials/environment_provider.h"
#include "cloudwatch/publisher.h"
#include "cloudwatch/stream_precreator.h"
#include "core/env.h"
#include "core/time_format.h"
#include "daemon/assembly.h"
#include "schedule/scheduler.h"
#include "support/fake_clock.h"

namespace {

using namespace std::chrono_literals;
using namespace cwp;
using json = nlohmann::json;

enum kind : std::size_t { put = 0, create_stream = 1, create_group = 2, kinds = 3 };
constexpr std::array<const char*, kinds> kind_names = {"PutLogEvents", "CreateLogStream",
                                                       "CreateLogGroup"};

// Per-second call counts from `origin` on.
struct counts {
  core::sys_time origin;
  std::vector<std::array<std::uint32_t, kinds>> per_second;
  std::size_t total{0};

  void add(core::sys_time t, kind k) {
    ++total;
    const auto secs = std::chrono::floor<std::chrono::seconds>(t - origin).count();
    if (secs < 0) return;
    const auto s = static_cast<std::size_t>(secs);
    if (s >= per_second.size()) per_second.resize(s + 1);
    ++per_second[s][k];
  }
};

// CloudWatch Logs in memory: groups and streams, answering like the service. Every call takes
// `round_trip` of the caller's time (the world moves the fake clock on), and a stream exists for
// calls made after the call that created it: hosts delivering in the same instant all meet a
// missing stream, as concurrent callers do.
class world final : public http::transport {
 public:
  static constexpr std::chrono::milliseconds round_trip_time{50};

  world(testing::fake_clock& clock, counts& out) : clock_(&clock), out_(&out) {}
  void add_stream(const std::string& key) { streams.emplace(key, core::sys_time::min()); }

  std::set<std::string> groups;
  std::map<std::string, core::sys_time> streams;    // "group\nstream" → when it was created
  std::map<std::string, std::size_t> create_calls;  // CreateLogStream calls per stream name

 private:
  core::result<http::response> round_trip(const http::request& req,
                                          const http::send_options&) override {
    const auto target = req.find_header("X-Amz-Target").value_or("");
    const auto op = target.substr(target.find('.') + 1);
    const auto body = json::parse(req.body);
    const std::string group = body.value("logGroupName", "");
    const std::string stream = group + "\n" + body.value("logStreamName", "");
    const auto now = clock_->now();
    clock_->advance(round_trip_time);
    const auto found = streams.find(stream);
    const bool exists = found != streams.end() && found->second <= now;
    if (op == "PutLogEvents") {
      out_->add(now, put);
      if (!exists) return fail("ResourceNotFoundException");
      return http::response{200, {}, "{}"};
    }
    if (op == "CreateLogStream") {
      out_->add(now, create_stream);
      ++create_calls[body.value("logStreamName", "")];
      if (!groups.contains(group)) return fail("ResourceNotFoundException");
      if (found != streams.end()) return fail("ResourceAlreadyExistsException");
      streams.emplace(stream, now);
      return http::response{200, {}, ""};
    }
    if (op == "CreateLogGroup") {
      out_->add(now, create_group);
      if (!groups.insert(group).second) return fail("ResourceAlreadyExistsException");
      return http::response{200, {}, ""};
    }
    return http::response{200, {}, "{}"};  // PutRetentionPolicy and the like: not counted
  }

  static http::response fail(const std::string& type) {
    return http::response{
        400, {{"x-amzn-ErrorType", type}}, json{{"__type", type}, {"message", type}}.dump()};
  }

  testing::fake_clock* clock_;
  counts* out_;
};

class null_sink final : public logging::sink {
  void write(const logging::line&) override {}
};

aws::endpoint local(std::string_view service) {
  return aws::endpoint{*http::url::parse("http://127.0.0.1:9"), "us-east-1", std::string(service),
                       "sim"};
}

// One process's world: clock, the in-memory service, the real AWS clients and publisher.
struct fleet_platform {
  explicit fleet_platform(core::sys_time start)
      : clock(start),
        calls{start, {}},
        service(clock, calls),
        env(core::map_environment({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "s"}})),
        credentials(env),
        platform{.env = env,
                 .clock = &clock,
                 .sink = &sink,
                 .transport = &service,
                 .credentials = &credentials,
                 .uniform01 = [] { return 0.0; },
                 .abandon = {},
                 .children = nullptr},
        log(sink, clock, "fleet-sim"),
        aws({.logs_endpoint = local("logs"), .sts_endpoint = local("sts"), .retry = {}}, platform,
            nullptr),
        pub(aws.logs, log, {"/fleet", std::nullopt}) {}

  testing::fake_clock clock;
  counts calls;
  world service;
  core::environment env;
  aws::environment_provider credentials;
  null_sink sink;
  daemon::platform platform;
  logging::logger log;
  daemon::aws_clients aws;
  cloudwatch::publisher pub;
};

struct host {
  schedule::scheduler sched;
  cloudwatch::stream_precreator ahead;
  std::string stream;  // the stream of the last delivery
};

constexpr std::uint64_t golden = 0x9E3779B97F4A7C15ULL;
constexpr std::size_t default_sample_hosts = 100;

cloudwatch::stream_names daily(std::size_t i) {
  return {*cloudwatch::stream_template::parse("heartbeat-{date}"),
          {"host-" + std::to_string(i), ""}};
}

struct day_result {
  std::size_t sample_deliveries{0};
  std::size_t sample_calls{0};  // calls those deliveries made, stream existing
};

// Runs `n` hosts from `start` (all at once, start-up heartbeat included) until `until`.
day_result simulate(fleet_platform& f, std::size_t n, const schedule::cron_expression& cron,
                    const schedule::splay& splay, core::sys_time start, core::sys_time until,
                    std::size_t sample_hosts = default_sample_hosts) {
  std::vector<std::unique_ptr<host>> hosts;
  using entry = std::pair<core::sys_time, std::size_t>;
  std::priority_queue<entry, std::vector<entry>, std::greater<>> next;
  const auto mono0 = f.clock.monotonic();
  const auto mono = [&](core::sys_time t) { return mono0 + (t - start); };
  day_result r;
  const cloudwatch::log_event beat{0, "heartbeat"};
  auto deliver = [&](std::size_t i, core::sys_time stamp, core::sys_time now) {
    f.clock.set_wall(now);
    auto& h = *hosts[i];
    auto name = *daily(i).render(stamp);
    if (i < sample_hosts || name != h.stream) {
      const std::size_t calls_before = f.calls.total;
      const auto event = cloudwatch::log_event{
          std::chrono::duration_cast<std::chrono::milliseconds>(stamp.time_since_epoch()).count(),
          beat.message};
      (void)f.pub.publish(name, std::span(&event, 1));
      if (i < sample_hosts && name == h.stream) {
        ++r.sample_deliveries;
        r.sample_calls += f.calls.total - calls_before;
      }
    } else {
      f.calls.add(now, put);  // one PutLogEvents into the existing stream (see sample_check)
    }
    h.stream = std::move(name);
    h.ahead.after_delivery(now);
  };
  for (std::size_t i = 0; i < n; ++i) {
    hosts.push_back(std::make_unique<host>(
        host{schedule::scheduler(cron, splay, golden * (2 * i + 1)),
             cloudwatch::stream_precreator(f.pub, f.log, daily(i), golden * (2 * i + 2)), ""}));
    deliver(i, start, start);  // the start-up heartbeat
    (void)hosts[i]->sched.poll(start, mono(start));
    next.emplace(hosts[i]->sched.pending()->fire_at, i);
  }
  while (!next.empty() && next.top().first < until) {
    const auto [t, i] = next.top();
    next.pop();
    const auto step = hosts[i]->sched.poll(t, mono(t));
    if (step.fire) deliver(i, step.fire->scheduled, t);
    next.emplace(hosts[i]->sched.pending()->fire_at, i);
  }
  return r;
}

// The JSON bench/run reads: per-second counts per kind from `from` for `seconds`.
json series(const counts& c, core::sys_time from, std::size_t seconds) {
  json out = json::object();
  const auto first =
      static_cast<std::size_t>(std::chrono::floor<std::chrono::seconds>(from - c.origin).count());
  for (std::size_t k = 0; k < kinds; ++k) {
    std::vector<std::uint32_t> v(seconds, 0);
    for (std::size_t s = 0; s < seconds; ++s) {
      const auto at = first + s;
      if (at < c.per_second.size()) v[s] = c.per_second[at][k];
    }
    out[kind_names[k]] = v;
  }
  return out;
}

core::sys_time at(const char* iso) { return *core::parse_iso8601(iso); }

int day(std::size_t n, const std::string& splay_text, const std::string& path,
        std::size_t sample_hosts) {
  const auto cron = *schedule::cron_expression::parse("*/1 * * * *");
  const auto splay = schedule::splay::parse(splay_text, cron);
  if (!splay) {
    std::cerr << "fleet_sim: bad splay " << splay_text << "\n";
    return 2;
  }
  // Day 1 12:00 UTC: the whole fleet starts at once on an existing group and today's stream.
  const auto start = at("2026-03-01T12:00:00Z");
  const auto day2 = at("2026-03-02T00:00:00Z");
  const auto until = at("2026-03-03T00:10:00Z");
  fleet_platform f(start);
  f.service.groups.insert("/fleet");
  f.service.add_stream("/fleet\nheartbeat-2026-03-01");
  const auto r = simulate(f, n, cron, *splay, start, until, sample_hosts);
  json out{{"hosts", n},
           {"splay", splay_text},
           {"template", "heartbeat-{date}"},
           {"schedule", "*/1 * * * *"},
           {"start", "2026-03-01T12:00:00Z"},
           {"day", "2026-03-02"},
           {"sample_hosts", sample_hosts},
           {"sample_deliveries", r.sample_deliveries},
           {"sample_calls", r.sample_calls},
           // The cold start: the first minute after all hosts started.
           {"cold_start", series(f.calls, start, 60)},
           // The whole of day 2 and the first 10 minutes of day 3 (its midnight).
           {"day_series", series(f.calls, day2, 24 * 3600 + 600)}};
  std::ofstream(path) << out.dump();
  return 0;
}

// The PutLogEvents peak per second of N hosts in steady state (10 minutes after a start at once)
// for each splay: the data of the splay guidance.
int splay_table(const std::string& path) {
  const auto cron = *schedule::cron_expression::parse("*/1 * * * *");
  const auto start = at("2026-03-01T12:00:30Z");
  json rows = json::array();
  for (const std::size_t n :
       {std::size_t{1'000}, std::size_t{10'000}, std::size_t{50'000}, std::size_t{100'000}}) {
    for (const char* text :
         {"0", "0-1s", "0-2s", "0-5s", "0-10s", "0-20s", "0-30s", "0-45s", "0-59s"}) {
      const auto splay = *schedule::splay::parse(text, cron);
      std::vector<std::uint32_t> per_second(11 * 60, 0);
      for (std::size_t i = 0; i < n; ++i) {
        schedule::scheduler s(cron, splay, golden * (2 * i + 1));
        const auto mono0 = std::chrono::steady_clock::time_point{};
        (void)s.poll(start, mono0);
        for (int tick = 0; tick < 10; ++tick) {
          const auto t = s.pending()->fire_at;
          const auto step = s.poll(t, mono0 + (t - start));
          if (step.fire) {
            const auto sec = std::chrono::floor<std::chrono::seconds>(t - start).count();
            if (sec >= 0 && static_cast<std::size_t>(sec) < per_second.size()) {
              ++per_second[static_cast<std::size_t>(sec)];
            }
          }
        }
      }
      rows.push_back({{"hosts", n},
                      {"splay", text},
                      {"put_peak", *std::max_element(per_second.begin(), per_second.end())}});
    }
  }
  std::ofstream(path) << rows.dump();
  return 0;
}

int window(const std::vector<std::string>& a) {
  const auto cron = schedule::cron_expression::parse(a[2]);
  const auto start = core::parse_iso8601(a[3]);
  if (!cron || !start) {
    std::cerr << "fleet_sim: bad schedule or start time\n";
    return 2;
  }
  const auto seconds = std::stoul(a[4]);
  fleet_platform f(*start);
  f.service.groups.insert("/fleet");
  for (std::size_t i = 6; i < a.size(); ++i) f.service.add_stream("/fleet\n" + a[i]);
  (void)simulate(f, std::stoul(a[1]), *cron, {}, *start, *start + std::chrono::seconds(seconds));
  json totals = json::object();
  for (std::size_t k = 0; k < kinds; ++k) {
    std::size_t sum = 0;
    for (const auto& sec : f.calls.per_second) sum += sec[k];
    totals[kind_names[k]] = sum;
  }
  std::ofstream(a[5]) << json{{"totals", totals},
                              {"create_calls", f.service.create_calls},
                              {"series", series(f.calls, *start, seconds)}}
                             .dump();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if ((args.size() == 4 || args.size() == 5) && args[0] == "day") {
    const auto sample = args.size() == 5 ? std::stoul(args[4]) : default_sample_hosts;
    return day(std::stoul(args[1]), args[2], args[3], sample);
  }
  if (args.size() == 2 && args[0] == "splay-table") return splay_table(args[1]);
  if (args.size() >= 6 && args[0] == "window") return window(args);
  std::cerr
      << "usage: fleet_sim day HOSTS SPLAY OUT.json [SAMPLE] | fleet_sim splay-table OUT.json | "
         "fleet_sim window HOSTS SCHEDULE START SECONDS OUT.json [STREAM...]\n";
  return 2;
}
