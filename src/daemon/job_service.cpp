#include "daemon/job_service.h"

#include <algorithm>
#include <csignal>

#include "core/time_format.h"
#include "jobs/job_options.h"

namespace cwp::daemon {
namespace {

using std::chrono::milliseconds;

// After the grace and SIGKILL, how long the runs get to report.
constexpr std::chrono::seconds after_kill{2};

cloudwatch::stream_template stream_of(const jobs::job_spec& spec,
                                      const std::string& default_stream) {
  if (spec.stream) return *spec.stream;
  // CWP_JOB_STREAM was validated with a placeholder name; job names never make it invalid.
  return *jobs::job_stream_template(default_stream, spec.name);
}

// Whether a reload leaves a job as it is: everything a run or its schedule is made from.
bool same_definition(const jobs::job_spec& a, const jobs::job_spec& b) {
  const auto stream_text = [](const jobs::job_spec& s) {
    return s.stream ? std::optional<std::string>(s.stream->text()) : std::nullopt;
  };
  return a.name == b.name && a.schedule.text() == b.schedule.text() && a.command == b.command &&
         a.argv == b.argv && a.shell == b.shell && a.environment == b.environment &&
         a.timeout == b.timeout && a.kill_grace == b.kill_grace && a.overlap == b.overlap &&
         stream_text(a) == stream_text(b) && a.max_output_bytes == b.max_output_bytes;
}

}  // namespace

job_service::job_service(parts p) : p_(std::move(p)) {
  for (auto& spec : p_.jobs) jobs_.push_back(make_state(std::move(spec)));
  p_.jobs.clear();
}

std::unique_ptr<job_service::job_state> job_service::make_state(jobs::job_spec spec) {
  auto stream = stream_of(spec, p_.default_stream);
  auto cron = spec.schedule;
  return std::make_unique<job_state>(
      job_state{std::move(spec),
                {std::move(stream), p_.stream_values},
                schedule::scheduler(std::move(cron), schedule::splay{}, next_seed_++),
                {}});
}

template <class F>
void job_service::each_state(F&& f) const {
  for (const auto& job : jobs_) f(*job);
  for (const auto& job : retired_) f(*job);
}

job_service::reload_summary job_service::reload(std::vector<jobs::job_spec> specs) {
  join_finished();
  reload_summary summary;
  summary.jobs = specs.size();
  std::vector<std::unique_ptr<job_state>> next;
  for (auto& spec : specs) {
    const auto old = std::find_if(jobs_.begin(), jobs_.end(), [&spec](const auto& j) {
      return j != nullptr && j->spec.name == spec.name;
    });
    if (old == jobs_.end()) {
      ++summary.added;
      next.push_back(make_state(std::move(spec)));
      continue;
    }
    std::unique_ptr<job_state> kept = std::move(*old);  // leaves a null behind in jobs_
    if (same_definition(kept->spec, spec)) {
      ++summary.unchanged;
      next.push_back(std::move(kept));
      continue;
    }
    ++summary.changed;
    auto fresh = make_state(std::move(spec));
    fresh->active = std::move(kept->active);
    if (fresh->spec.schedule.text() == kept->spec.schedule.text()) {
      fresh->scheduler = std::move(kept->scheduler);
    }
    next.push_back(std::move(fresh));
  }
  for (auto& gone : jobs_) {
    if (gone == nullptr) continue;
    ++summary.removed;
    if (!gone->active.empty()) retired_.push_back(std::move(gone));
  }
  jobs_ = std::move(next);
  return summary;
}

job_service::~job_service() {
  if (running() > 0) stop_all(milliseconds{0});
  join_finished();  // runs that ended since the last poll
  // A run that did not end even after SIGKILL (its thread stuck): the process is exiting, so
  // it is left as it is rather than destroyed under its thread.
  each_state([](job_state& job) {
    for (auto& a : job.active) {
      if (!a->thread.joinable()) continue;
      a->thread.detach();
      (void)a.release();
    }
  });
}

std::size_t job_service::running() const {
  std::size_t n = 0;
  each_state([&n](const job_state& job) {
    n += static_cast<std::size_t>(std::count_if(job.active.begin(), job.active.end(),
                                                [](const auto& a) { return !a->done.load(); }));
  });
  return n;
}

jobs::run_request job_service::request_for(job_state& job, core::sys_time scheduled) {
  const auto& spec = job.spec;
  jobs::run_request r;
  r.job = spec.name;
  r.run_id = jobs::make_run_id(p_.boot_id, spec.name, ++runs_[spec.name]);
  r.schedule = spec.schedule.text();
  r.scheduled = scheduled;
  r.command.argv = spec.argv;
  r.command.shell = spec.shell;
  r.command.command = spec.command;
  r.command.environment = p_.environment;
  for (const auto& [name, value] : spec.environment) {
    const std::string prefix = name + "=";
    std::erase_if(r.command.environment,
                  [&prefix](const std::string& e) { return e.starts_with(prefix); });
    r.command.environment.push_back(prefix + value);
  }
  r.timeout = spec.timeout;
  r.kill_grace = spec.kill_grace;
  r.max_output_bytes = spec.max_output_bytes.value_or(p_.default_max_output);
  return r;
}

void job_service::skip(job_state& job, core::sys_time scheduled, const std::string& stream) {
  jobs::run_result r;
  r.job = job.spec.name;
  r.run_id = jobs::make_run_id(p_.boot_id, job.spec.name, ++runs_[job.spec.name]);
  r.schedule = job.spec.schedule.text();
  r.scheduled = scheduled;
  r.started = p_.clock->now();
  r.ended = r.started;
  r.result = jobs::outcome::skipped;
  r.reason = "the previous run is still going (overlap=skip)";
  jobs::publish_result(r, p_.source, *p_.shipper, stream, *p_.log);
  if (p_.output_ready) p_.output_ready();
}

void job_service::start(job_state& job, core::sys_time scheduled) {
  auto stream = job.stream.render(scheduled);
  if (!stream) {
    p_.log->error("job " + job.spec.name + ": " + stream.error().message + "; run not started");
    return;
  }
  const bool busy = std::any_of(job.active.begin(), job.active.end(),
                                [](const auto& a) { return !a->done.load(); });
  if (busy && job.spec.overlap == jobs::overlap_policy::skip) {
    skip(job, scheduled, *stream);
    return;
  }
  if (busy && job.spec.overlap == jobs::overlap_policy::replace) {
    for (auto& a : job.active) {
      if (!a->done.load())
        a->run->stop("replaced by the run scheduled at " + core::format_iso8601_seconds(scheduled));
    }
  }
  auto active = std::make_unique<active_run>();
  active->run = std::make_unique<jobs::job_run>(*p_.children, *p_.clock,
                                                jobs::run_output{.shipper = p_.shipper,
                                                                 .stream = *stream,
                                                                 .notify = p_.output_ready,
                                                                 .congested = p_.congested});
  auto request = request_for(job, scheduled);
  active_run* a = active.get();
  job.active.push_back(std::move(active));
  a->thread = std::thread([this, a, request = std::move(request), stream = *stream] {
    const auto result = a->run->run(request);
    jobs::publish_result(result, p_.source, *p_.shipper, stream, *p_.log,
                         a->run->last_timestamp_ms());
    if (p_.output_ready) p_.output_ready();
    {
      const std::lock_guard lock(mutex_);
      a->done = true;
    }
    finished_.notify_all();
  });
}

void job_service::join_finished() {
  each_state([](job_state& job) {
    for (auto it = job.active.begin(); it != job.active.end();) {
      if (!(*it)->done.load()) {
        ++it;
        continue;
      }
      if ((*it)->thread.joinable()) (*it)->thread.join();
      it = job.active.erase(it);
    }
  });
  std::erase_if(retired_, [](const auto& job) { return job->active.empty(); });
}

milliseconds job_service::poll() {
  join_finished();
  milliseconds wait = schedule::scheduler::max_wait;
  for (auto& job : jobs_) {
    const auto step = job->scheduler.poll(p_.clock->now(), p_.clock->monotonic());
    if (step.missed > 0) {
      p_.log->warn("Missed " + std::to_string(step.missed) + " scheduled runs of job " +
                       job->spec.name +
                       " (the process was paused or the clock jumped forward); they are not "
                       "backfilled",
                   {logging::kv("job", job->spec.name),
                    logging::kv("missed", static_cast<long long>(step.missed))});
    }
    if (step.fire) start(*job, step.fire->scheduled);
    wait = std::min(wait, step.wait);
  }
  return wait;
}

bool job_service::wait_all(milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return finished_.wait_for(lock, timeout, [this] {
    bool all_done = true;
    each_state([&all_done](const job_state& job) {
      for (const auto& a : job.active) all_done = all_done && a->done.load();
    });
    return all_done;
  });
}

std::size_t job_service::stop_all(milliseconds grace) {
  each_state([](job_state& job) {
    for (auto& a : job.active) {
      if (!a->done.load()) a->run->stop("stopped: cloudwatch-publisher is shutting down");
    }
  });
  std::size_t left = 0;
  if (!wait_all(grace)) {
    left = running();
    each_state([](job_state& job) {
      for (auto& a : job.active) {
        if (!a->done.load()) a->run->forward(SIGKILL);
      }
    });
    wait_all(after_kill);
  }
  join_finished();
  return left;
}

}  // namespace cwp::daemon
