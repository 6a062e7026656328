#include "commands/exec.h"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <thread>

#include "aws/credentials/imds_client.h"
#include "cloudwatch/heartbeat.h"
#include "commands/job_delivery.h"
#include "commands/startup.h"
#include "commands/stream_names.h"
#include "daemon/assembly.h"
#include "daemon/startup.h"
#include "jobs/job_name.h"
#include "jobs/job_options.h"
#include "jobs/runner.h"
#include "jobs/spawn.h"

namespace cwp::commands {
namespace {

using daemon::exit_code;

// How often the signal thread looks whether the run is over (it waits for signals meanwhile).
constexpr std::chrono::milliseconds signal_poll{100};

// With CWP_SPOOL_DIR, what cannot be delivered now is kept in its `exec` subdirectory (apart
// from the daemon's journal and send's) and delivered by the next exec.
std::string journal_dir(const config::settings& s) {
  if (s.spool_dir.empty()) return {};
  return (std::filesystem::path(s.spool_dir) / "exec").string();
}

std::string job_name(const exec_request& request) {
  if (!request.job.empty()) return request.job;
  std::string command;
  for (const auto& word : request.command) command += (command.empty() ? "" : " ") + word;
  return jobs::derived_name(command);
}

// The job's stream names: CWP_JOB_STREAM with {job} replaced; {instance_id} asked from EC2
// instance metadata only when used and not configured. Logs and returns nullopt on failure.
std::optional<cloudwatch::stream_names> job_stream(const config::settings& s,
                                                   const std::string& job,
                                                   const daemon::platform& p,
                                                   const logging::logger& log) {
  const std::string env(config::info(config::setting::job_stream).env);
  auto pattern = jobs::job_stream_template(s.job_stream, job);
  if (!pattern) {
    log.error(env + ": " + pattern.error().message);
    return std::nullopt;
  }
  cloudwatch::stream_names names{*pattern, {s.hostname, s.instance_id.value_or("")}};
  if (pattern->uses("instance_id") && !s.instance_id) {
    auto id = aws::imds_instance_id(*p.transport, *p.clock, p.env);
    if (!id) {
      log.error(env + " uses {instance_id} but no instance id is known: " + id.error().message +
                "; " + std::string(instance_id_hint));
      return std::nullopt;
    }
    names.values.instance_id = *id;
  }
  if (auto rendered = names.render(p.clock->now()); !rendered) {
    log.error(env + ": " + rendered.error().message);
    return std::nullopt;
  }
  return names;
}

int exit_code_of(const jobs::run_result& r) {
  if (r.exit_code) return *r.exit_code;
  if (r.signal) return 128 + *r.signal;
  return exec_not_started;
}

// Forwards SIGTERM and SIGINT to the run until `done`.
void forward_signals(daemon::waiter& signals, jobs::job_run& run, const std::atomic<bool>& done) {
  while (!done.load()) {
    const auto sig = signals.wait_for(signal_poll);
    if (sig && (*sig == SIGTERM || *sig == SIGINT)) run.forward(*sig);
  }
}

void report_undelivered(const cloudwatch::shipper& shipper, bool spooled,
                        const std::optional<core::error>& why, const std::string& job,
                        const config::settings& s, const logging::logger& log) {
  log.error("exec: " + std::to_string(shipper.pending()) + " events of job " + job +
                " were not delivered to CloudWatch Logs; " +
                (spooled ? "they are kept in the spool for the next exec"
                         : "they are lost (set CWP_SPOOL_DIR to keep them)") +
                (why ? ": " + why->message : std::string()),
            {logging::kv("log_group", s.log_group), logging::kv("job", job),
             logging::kv("error_code", why ? why->remote_code : std::string())});
}

}  // namespace

int run_exec(const config::settings& s, daemon::platform& p, const exec_request& request,
             daemon::waiter& signals) {
  const logging::logger entry(*p.sink, *p.clock, daemon::entrypoint_service, s.log_level);
  const logging::logger log = entry.with_service(daemon::publisher_service);
  if (request.command.empty()) {
    log.error("exec: no command given (cloudwatch-publisher exec [--job NAME] -- COMMAND ARGS...)");
    return daemon::to_int(exit_code::usage);
  }
  const std::string job = job_name(request);
  if (auto problem = jobs::name_problem(job); !problem.empty()) {
    log.error("exec: --job: " + problem);
    return daemon::to_int(exit_code::usage);
  }
  auto names = job_stream(s, job, p, log);
  if (!names) return daemon::to_int(exit_code::usage);
  // Without usable credentials the command still runs; its events are kept (or reported lost).
  (void)validate_environment(s, *p.credentials, entry);

  const daemon::aws_clients aws(aws_settings_of(s), p, &log);
  daemon::publishing published({.target = publisher_options_of(s, /*with_retention=*/true),
                                .limits = s.spool_limits,
                                .journal_dir = journal_dir(s)},
                               aws, p, log);
  auto& shipper = published.shipper;
  const auto stream = names->render(p.clock->now());  // checked by job_stream
  job_delivery delivery(shipper, log);
  if (shipper.restored() > 0) delivery.notify();

  jobs::run_request run_request;
  run_request.job = job;
  run_request.run_id = jobs::make_run_id(cloudwatch::new_boot_id(), job, 1);
  run_request.scheduled = p.clock->now();
  run_request.command.argv = request.command;
  run_request.command.environment = jobs::job_environment(p.env, {});
  run_request.command.inherit_stdin = true;
  run_request.max_output_bytes = s.job_max_output;
  jobs::job_run run(*p.children, *p.clock,
                    {.shipper = &shipper,
                     .stream = *stream,
                     .notify = [&delivery] { delivery.notify(); },
                     .copy_stdout = request.copy_stdout,
                     .copy_stderr = request.copy_stderr,
                     // A job's output waits for delivery while it works, rather than being
                     // dropped at the spool bounds.
                     .congested = [&] { return shipper.half_full() && !delivery.failing(); }});
  std::atomic<bool> done{false};
  std::thread forwarder([&] { forward_signals(signals, run, done); });
  const auto result = run.run(run_request);
  done = true;
  forwarder.join();

  jobs::publish_result(result, {s.hostname, s.emf}, shipper, *stream, log, run.last_timestamp_ms());
  delivery.finish();
  const auto d = shipper.flush();
  if (shipper.pending() > 0) {
    report_undelivered(shipper, published.journal != nullptr, d.error, job, s, log);
  }
  return exit_code_of(result);
}

}  // namespace cwp::commands
