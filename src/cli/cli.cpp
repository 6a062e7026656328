#include "cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <random>

#include "aws/credentials/default_chain.h"
#include "cli/shell_shim.h"
#include "cloudwatch/batch.h"
#include "commands/alarm.h"
#include "commands/check.h"
#include "commands/dashboard.h"
#include "commands/exec.h"
#include "commands/health.h"
#include "commands/once.h"
#include "commands/run.h"
#include "commands/send.h"
#include "config/settings.h"
#include "daemon/assembly.h"
#include "daemon/platform.h"
#include "daemon/signals.h"
#include "daemon/startup.h"
#include "http/beast_transport.h"
#include "io/line_source.h"

namespace cwp::cli {
namespace {

using daemon::exit_code;

std::string describe(const config::setting_info& s) {
  return std::string(s.help) + "  [env: " + std::string(s.env) +
         "]  (default: " + std::string(s.default_value.empty() ? "none" : s.default_value) + ")";
}

// Logs one JSON ERROR line the way every other line of ours looks.
void log_usage_error(std::ostream& out, std::ostream& err, const std::string& message) {
  core::system_clock clock;
  logging::stream_sink sink(out, err);
  logging::logger(sink, clock, daemon::entrypoint_service).error(message);
}

// TLS transport configured as the AWS CLI would be: AWS_CA_BUNDLE, HTTPS_PROXY, NO_PROXY...
core::result<std::unique_ptr<http::beast_transport>> make_transport(const core::environment& env) {
  http::beast_transport::settings settings;
  auto proxies = http::proxy_settings::from_environment(env.get);
  if (!proxies) return tl::unexpected(proxies.error());
  settings.proxies = *proxies;
  if (auto bundle = env.non_empty("AWS_CA_BUNDLE")) settings.ca_bundle = *bundle;
  return http::beast_transport::create(std::move(settings));
}

// The real world: system clock, process environment, TLS transport, stdout/stderr, and the
// SDKs' credential chain on them.
int run_with_platform(
    const config::settings& s, const core::environment& env, std::ostream& out, std::ostream& err,
    const std::function<exit_code(const config::settings&, daemon::platform&)>& body) {
  auto transport = make_transport(env);
  if (!transport) {
    log_usage_error(out, err, transport.error().message);
    return daemon::to_int(exit_code::usage);
  }
  core::system_clock clock;
  logging::stream_sink sink(out, err);
  std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  core::child_registry children;  // credential_process registers here; `run` reaps through it
  daemon::platform p{.env = env,
                     .clock = &clock,
                     .sink = &sink,
                     .transport = transport->get(),
                     .credentials = nullptr,  // the chain, below
                     .uniform01 = [&] { return uniform(rng); },
                     .abandon =
                         [&](exit_code code) {
                           out.flush();
                           err.flush();
                           std::_Exit(daemon::to_int(code));
                         },
                     .children = &children};
  // The chain's own STS calls (web identity, assume role) get their own signing clock; the
  // publishing clients learn theirs from their responses.
  const logging::logger credentials_log(sink, clock, daemon::entrypoint_service, s.log_level);
  aws::clock_skew sts_skew(clock);
  const auto chain = aws::make_default_chain(aws::chain_dependencies{
      .env = env,
      .clock = &clock,
      .transport = transport->get(),
      .sts = aws::sts_target{daemon::make_client_context(p, sts_skew, s.retry, &credentials_log),
                             s.sts_endpoint},
      .log = &credentials_log,
      .children = &children});
  p.credentials = chain.get();
  return daemon::to_int(body(s, p));
}

// What the command line asks for, filled in by CLI11 while it parses.
struct command_line {
  config::flag_values flags;
  CLI::App* run{nullptr};
  CLI::App* once{nullptr};
  CLI::App* check{nullptr};
  bool check_write{false};
  std::string check_output{"text"};
  CLI::App* send{nullptr};
  std::vector<std::string> message_words;
  CLI::App* health{nullptr};
  CLI::App* exec{nullptr};
  commands::exec_request exec_request;
  CLI::App* alarm{nullptr};
  commands::alarm_request alarm_request;
  std::string alarm_topic;
  CLI::App* dashboard{nullptr};
  commands::dashboard_request dashboard_request;
  std::string dashboard_name;
  std::string dashboard_account;
};

// Every setting as a flag, and the subcommands with their own flags.
void define_command_line(CLI::App& app, command_line& r) {
  app.set_version_flag("--version", std::string("cloudwatch-publisher ") + CWP_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "AWS settings follow the AWS CLI: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
      "AWS_SESSION_TOKEN, AWS_REGION / AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, "
      "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL_STS, AWS_MAX_ATTEMPTS, AWS_CA_BUNDLE, "
      "HTTPS_PROXY / NO_PROXY.\n"
      "Exit codes: 0 ok, 1 not delivered (check: a check failed), 2 usage or configuration "
      "error, 3 credentials rejected by AWS.");
  for (const auto& s : config::known_settings()) {
    app.add_option_function<std::string>(
           std::string(s.flag), [&r, id = s.id](const std::string& v) { r.flags[id] = v; },
           describe(s))
        ->type_name("TEXT");
  }

  r.run = app.add_subcommand(
      "run",
      "The daemon (the image's default): validate, then publish heartbeats on the schedule "
      "until SIGTERM");
  r.once = app.add_subcommand(
      "once", "Validate configuration and credentials, publish one heartbeat now, exit");
  r.check = app.add_subcommand(
      "check",
      "Preflight: region, endpoints, credentials, identity, clock, log group and stream, write "
      "access, each with a hint on failure; exit 0 only if publishing would work");
  r.check->add_flag("--write", r.check_write,
                    "Also create the log group and stream if missing and put one test event");
  r.check->add_option("--output", r.check_output, "Report format: text or json (default: text)")
      ->check(CLI::IsMember({"text", "json"}));
  r.send = app.add_subcommand(
      "send",
      "Publish MESSAGE, or every line of stdin, to the --stream log stream; summary on stderr");
  r.send->add_option("message", r.message_words,
                     "The message (words are joined with spaces); without it, stdin is read");
  r.health = app.add_subcommand(
      "health",
      "Exit 0 when the daemon's last delivery is recent enough for its schedule (for "
      "HEALTHCHECK and probes)");
  r.exec = app.add_subcommand(
      "exec",
      "Run COMMAND now (exec [--job NAME] -- COMMAND ARGS...): its output goes to our stdout and "
      "stderr and to the job's log stream, then its result event; exits with its exit code");
  r.exec->add_option("--job", r.exec_request.job,
                     "The job's name (default: derived from the command, as for crontab jobs)");
  r.exec->add_option("command", r.exec_request.command,
                     "The program and its arguments, after --; executed without a shell");
}

// `alarm` and `dashboard`: what to create in CloudWatch to watch this publisher and its jobs.
void define_monitoring_commands(CLI::App& app, command_line& r) {
  r.alarm = app.add_subcommand(
      "alarm",
      "Print the CloudWatch alarms that fire when heartbeats stop and when a crontab job stops "
      "succeeding, derived from the schedules (needs CWP_EMF_NAMESPACE)");
  r.alarm
      ->add_option("--format", r.alarm_request.format,
                   "cli (aws cloudwatch put-metric-alarm commands) or cloudformation (a "
                   "template) (default: cli)")
      ->check(CLI::IsMember({"cli", "cloudformation"}));
  r.alarm->add_option("--sns-topic-arn", r.alarm_topic,
                      "SNS topic the alarms notify on ALARM and OK (default: none)");
  r.alarm->add_option("--grace", r.alarm_request.grace,
                      "How late a heartbeat or a job's success may be before the alarm fires, "
                      "beyond its schedule's longest gap (default: 5m)");
  r.dashboard = app.add_subcommand(
      "dashboard",
      "Print the CloudWatch dashboard of this publisher: heartbeats, every job's runs, the "
      "alarms and the latest failed runs (needs CWP_EMF_NAMESPACE)");
  r.dashboard
      ->add_option("--format", r.dashboard_request.format,
                   "json (the dashboard body), cli (the aws cloudwatch put-dashboard command) or "
                   "cloudformation (a template) (default: json)")
      ->check(CLI::IsMember({"json", "cli", "cloudformation"}));
  r.dashboard->add_option("--name", r.dashboard_name,
                          "Dashboard name (default: cloudwatch-publisher-<host name>)");
  r.dashboard->add_option("--account-id", r.dashboard_account,
                          "AWS account of the alarms, for their ARNs (needed by json and cli; "
                          "cloudformation takes the stack's)");
  r.dashboard->add_option("--grace", r.dashboard_request.grace,
                          "The --grace given to `alarm`, so the dashboard shows its alarms "
                          "(default: 5m)");
}

// Runs `alarm` or `dashboard`: stdout carries only what is generated; our own log lines go to
// stderr.
int dispatch_monitoring(command_line& r, const config::settings& settings, std::ostream& out,
                        std::ostream& err) {
  core::system_clock clock;
  logging::stream_sink sink(err, err);
  const logging::logger log(sink, clock, daemon::publisher_service, settings.log_level);
  if (r.alarm->parsed()) {
    if (!r.alarm_topic.empty()) r.alarm_request.topic_arn = r.alarm_topic;
    return daemon::to_int(commands::run_alarm(settings, r.alarm_request, out, log));
  }
  if (!r.dashboard_name.empty()) r.dashboard_request.name = r.dashboard_name;
  if (!r.dashboard_account.empty()) r.dashboard_request.account_id = r.dashboard_account;
  return daemon::to_int(commands::run_dashboard(settings, r.dashboard_request, out, log));
}

// Runs the subcommand the command line chose.
int dispatch(command_line& r, const config::settings& settings, const core::environment& env,
             std::ostream& out, std::ostream& err) {
  if (r.run->parsed()) {
    // Before any thread exists, so every thread inherits the mask and only the main loop
    // receives them.
    daemon::block_daemon_signals();
    return run_with_platform(settings, env, out, err,
                             [](const config::settings& s, daemon::platform& p) {
                               daemon::signal_waiter signals;
                               return commands::run_daemon(s, p, signals);
                             });
  }
  if (r.once->parsed()) return run_with_platform(settings, env, out, err, commands::run_once);
  if (r.check->parsed()) {
    const bool json = r.check_output == "json";
    // Colour only for a person at a terminal: never in JSON, never with NO_COLOR set.
    const bool colour =
        !json && &out == &std::cout && ::isatty(STDOUT_FILENO) == 1 && !env.non_empty("NO_COLOR");
    const commands::check_options options{.write = r.check_write, .json = json, .colour = colour};
    // stdout carries only the report; our own log lines (if any) go to stderr.
    return run_with_platform(settings, env, err, err,
                             [&](const config::settings& s, daemon::platform& p) {
                               return commands::run_check(s, p, options, out);
                             });
  }
  if (r.send->parsed()) {
    // A line longer than one event is read in event-sized pieces: memory stays bounded.
    io::fd_line_source input(STDIN_FILENO,
                             settings.max_event_bytes - cloudwatch::per_event_overhead_bytes);
    std::optional<std::string> message;
    if (!r.message_words.empty()) {
      message.emplace();
      for (const auto& word : r.message_words) *message += (message->empty() ? "" : " ") + word;
    }
    const commands::send_request request{.message = message,
                                         .input = &input,
                                         .status = &err,
                                         .progress = ::isatty(STDERR_FILENO) == 1};
    return run_with_platform(settings, env, out, err,
                             [&request](const config::settings& s, daemon::platform& p) {
                               return commands::run_send(s, p, request);
                             });
  }
  if (r.exec->parsed()) {
    daemon::block_daemon_signals();  // forwarded to the command by exec's signal thread
    return run_with_platform(
        settings, env, out, err, [&r](const config::settings& s, daemon::platform& p) {
          daemon::signal_waiter signals;
          return static_cast<exit_code>(commands::run_exec(s, p, r.exec_request, signals));
        });
  }
  if (r.health->parsed()) {
    core::system_clock clock;
    logging::stream_sink sink(out, err);
    const logging::logger log(sink, clock, daemon::publisher_service, settings.log_level);
    return daemon::to_int(commands::run_health(settings, clock, log));
  }
  if (r.alarm->parsed() || r.dashboard->parsed()) return dispatch_monitoring(r, settings, out, err);
  log_usage_error(out, err, "no subcommand given (run with --help for usage)");
  return daemon::to_int(exit_code::usage);
}

}  // namespace

// NOLINTNEXTLINE(bugprone-exception-escape): not the program's main; src/main.cpp catches.
int main(const std::vector<std::string>& args, const core::environment& env, std::ostream& out,
         std::ostream& err) {
  if (!args.empty()) {
    if (const auto shell = answer_as_shell(args.front(), err)) return *shell;
  }
  CLI::App app{"cloudwatch-publisher: publishes heartbeats and log lines to AWS CloudWatch Logs",
               "cloudwatch-publisher"};
  command_line r;
  define_command_line(app, r);
  define_monitoring_commands(app, r);
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend() - 1);
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion&) {
    out << app.version() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    log_usage_error(out, err, std::string(e.what()) + " (run with --help for usage)");
    return daemon::to_int(exit_code::usage);
  }

  auto settings = config::resolve(r.flags, env);
  if (!settings) {
    log_usage_error(out, err, settings.error().message);
    return daemon::to_int(exit_code::usage);
  }
  return dispatch(r, *settings, env, out, err);
}

}  // namespace cwp::cli
