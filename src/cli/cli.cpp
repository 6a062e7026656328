#include "cli/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <random>

#include "aws/credentials/default_chain.h"
#include "cloudwatch/message_split.h"
#include "commands/alarm.h"
#include "commands/dashboard.h"
#include "config/settings.h"
#include "daemon/app.h"
#include "daemon/check.h"
#include "daemon/health.h"
#include "daemon/send.h"
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

// The real world: system clock, process environment, TLS transport, stdout/stderr.
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
  // The SDKs' credential chain. Its own STS calls (web identity, assume role) get their own
  // signing clock; the publishing clients learn theirs from their responses.
  const logging::logger credentials_log(sink, clock, daemon::entrypoint_service, s.log_level);
  aws::clock_skew sts_skew(clock);
  const auto chain = aws::make_default_chain(aws::chain_dependencies{
      env, &clock, transport->get(),
      aws::sts_target{
          aws::client_context{transport->get(), nullptr, &clock, &sts_skew, s.retry,
                              std::make_shared<aws::retry_quota>(), [&] { return uniform(rng); },
                              http::send_options{}, &credentials_log},
          s.sts_endpoint},
      &credentials_log});
  aws::credentials_provider& credentials = *chain;
  daemon::platform p{env,
                     &clock,
                     &sink,
                     transport->get(),
                     &credentials,
                     [&] { return uniform(rng); },
                     [&](exit_code code) {
                       out.flush();
                       err.flush();
                       std::_Exit(daemon::to_int(code));
                     }};
  return daemon::to_int(body(s, p));
}

}  // namespace

int main(const std::vector<std::string>& args, const core::environment& env, std::ostream& out,
         std::ostream& err) {
  CLI::App app{"cloudwatch-publisher: publishes heartbeats and log lines to AWS CloudWatch Logs",
               "cloudwatch-publisher"};
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

  config::flag_values flags;
  for (const auto& s : config::known_settings()) {
    app.add_option_function<std::string>(
           std::string(s.flag), [&flags, id = s.id](const std::string& v) { flags[id] = v; },
           describe(s))
        ->type_name("TEXT");
  }

  auto* run = app.add_subcommand(
      "run",
      "The daemon (the image's default): validate, then publish heartbeats on the schedule "
      "until SIGTERM");
  auto* once = app.add_subcommand(
      "once", "Validate configuration and credentials, publish one heartbeat now, exit");
  auto* check = app.add_subcommand(
      "check",
      "Preflight: region, endpoints, credentials, identity, clock, log group and stream, write "
      "access, each with a hint on failure; exit 0 only if publishing would work");
  bool check_write = false;
  std::string check_output = "text";
  check->add_flag("--write", check_write,
                  "Also create the log group and stream if missing and put one test event");
  check->add_option("--output", check_output, "Report format: text or json (default: text)")
      ->check(CLI::IsMember({"text", "json"}));
  auto* send = app.add_subcommand(
      "send",
      "Publish MESSAGE, or every line of stdin, to the --stream log stream; summary on stderr");
  std::vector<std::string> message_words;
  send->add_option("message", message_words,
                   "The message (words are joined with spaces); without it, stdin is read");
  auto* health = app.add_subcommand(
      "health",
      "Exit 0 when the daemon's last delivery is recent enough for its schedule (for "
      "HEALTHCHECK and probes)");

  auto* alarm = app.add_subcommand(
      "alarm",
      "Print the CloudWatch alarms that fire when heartbeats stop and when a crontab job stops "
      "succeeding, derived from the schedules (needs CWP_EMF_NAMESPACE)");
  commands::alarm_request alarm_request;
  std::string alarm_topic;
  alarm
      ->add_option("--format", alarm_request.format,
                   "cli (aws cloudwatch put-metric-alarm commands) or cloudformation (a "
                   "template) (default: cli)")
      ->check(CLI::IsMember({"cli", "cloudformation"}));
  alarm->add_option("--sns-topic-arn", alarm_topic,
                    "SNS topic the alarms notify on ALARM and OK (default: none)");
  alarm->add_option("--grace", alarm_request.grace,
                    "How late a heartbeat or a job's success may be before the alarm fires, "
                    "beyond its schedule's longest gap (default: 5m)");
  auto* dashboard = app.add_subcommand(
      "dashboard",
      "Print the CloudWatch dashboard of this publisher: heartbeats, every job's runs, the "
      "alarms and the latest failed runs (needs CWP_EMF_NAMESPACE)");
  commands::dashboard_request dashboard_request;
  std::string dashboard_name;
  std::string dashboard_account;
  dashboard
      ->add_option("--format", dashboard_request.format,
                   "json (the dashboard body), cli (the aws cloudwatch put-dashboard command) or "
                   "cloudformation (a template) (default: json)")
      ->check(CLI::IsMember({"json", "cli", "cloudformation"}));
  dashboard->add_option("--name", dashboard_name,
                        "Dashboard name (default: cloudwatch-publisher-<host name>)");
  dashboard->add_option("--account-id", dashboard_account,
                        "AWS account of the alarms, for their ARNs (needed by json and cli; "
                        "cloudformation takes the stack's)");
  dashboard->add_option("--grace", dashboard_request.grace,
                        "The --grace given to `alarm`, so the dashboard shows its alarms "
                        "(default: 5m)");

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

  auto settings = config::resolve(flags, env);
  if (!settings) {
    log_usage_error(out, err, settings.error().message);
    return daemon::to_int(exit_code::usage);
  }
  if (run->parsed()) {
    // Before any thread exists, so every thread inherits the mask and only the main loop
    // receives them.
    daemon::block_daemon_signals();
    return run_with_platform(*settings, env, out, err,
                             [](const config::settings& s, daemon::platform& p) {
                               daemon::signal_waiter signals;
                               return daemon::run_daemon(s, p, signals);
                             });
  }
  if (once->parsed()) {
    return run_with_platform(*settings, env, out, err, daemon::run_once);
  }
  if (check->parsed()) {
    const bool json = check_output == "json";
    // Colour only for a person at a terminal: never in JSON, never with NO_COLOR set.
    const bool colour =
        !json && &out == &std::cout && ::isatty(STDOUT_FILENO) == 1 && !env.non_empty("NO_COLOR");
    // stdout carries only the report; our own log lines (if any) go to stderr.
    return run_with_platform(
        *settings, env, err, err, [&](const config::settings& s, daemon::platform& p) {
          const auto report = daemon::run_checks(s, p, daemon::check_options{check_write});
          out << (json ? daemon::render_json(report) : daemon::render_text(report, colour));
          out.flush();
          return report.code;
        });
  }
  if (send->parsed()) {
    // A line longer than one event is read in event-sized pieces: memory stays bounded.
    io::fd_line_source input(STDIN_FILENO, cloudwatch::max_split_message_bytes);
    daemon::send_request request;
    if (!message_words.empty()) {
      std::string message;
      for (const auto& word : message_words) message += (message.empty() ? "" : " ") + word;
      request.message = message;
    }
    request.input = &input;
    request.status = &err;
    request.progress = ::isatty(STDERR_FILENO) == 1;
    return run_with_platform(*settings, env, out, err,
                             [&request](const config::settings& s, daemon::platform& p) {
                               return daemon::run_send(s, p, request);
                             });
  }
  if (alarm->parsed() || dashboard->parsed()) {
    // stdout carries only what is generated; our own log lines go to stderr.
    core::system_clock clock;
    logging::stream_sink sink(err, err);
    const logging::logger log(sink, clock, daemon::publisher_service, settings->log_level);
    if (alarm->parsed()) {
      if (!alarm_topic.empty()) alarm_request.topic_arn = alarm_topic;
      return daemon::to_int(commands::run_alarm(*settings, alarm_request, out, log));
    }
    if (!dashboard_name.empty()) dashboard_request.name = dashboard_name;
    if (!dashboard_account.empty()) dashboard_request.account_id = dashboard_account;
    return daemon::to_int(commands::run_dashboard(*settings, dashboard_request, out, log));
  }
  if (health->parsed()) {
    core::system_clock clock;
    logging::stream_sink sink(out, err);
    const logging::logger log(sink, clock, daemon::publisher_service, settings->log_level);
    return daemon::to_int(daemon::run_health(*settings, clock, log));
  }
  log_usage_error(out, err, "no subcommand given (run with --help for usage)");
  return daemon::to_int(exit_code::usage);
}

}  // namespace cwp::cli
