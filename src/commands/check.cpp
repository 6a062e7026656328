#include "commands/check.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "aws/clock_skew.h"
#include "commands/check_hints.h"
#include "commands/startup.h"
#include "commands/stream_names.h"
#include "core/time_format.h"
#include "daemon/assembly.h"
#include "daemon/startup.h"

namespace cwp::commands {
namespace {

using daemon::exit_code;

// Past this, AWS is about to reject signatures (5 minutes) and heartbeat timestamps are wrong.
constexpr std::chrono::minutes max_clock_offset = aws::clock_skew::correction_threshold;

// Records the Date of every response it passes through, with the local time it arrived: the
// clock-skew check compares the two (error answers count too: they carry a Date).
class date_recorder final : public http::transport {
 public:
  date_recorder(http::transport& inner, const core::clock& clock)
      : inner_(&inner), clock_(&clock) {}

  core::result<http::response> round_trip(const http::request& req,
                                          const http::send_options& options) override {
    auto r = inner_->send(req, options);
    if (r) {
      if (auto date = r->find_header("Date")) {
        if (auto server = core::parse_http_date(*date)) {
          // Date has 1 s resolution: the server's time lies in [Date, Date + 1 s).
          offset_ = std::chrono::duration_cast<std::chrono::milliseconds>(
              *server + std::chrono::milliseconds{500} - clock_->now());
        }
      }
    }
    return r;
  }

  std::optional<std::chrono::milliseconds> offset() const { return offset_; }

 private:
  http::transport* inner_;
  const core::clock* clock_;
  std::optional<std::chrono::milliseconds> offset_;
};

std::string endpoint_text(const aws::endpoint& ep) {
  std::string url = ep.url.origin();
  if (ep.url.path != "/") url += ep.url.path;
  return url + " (" + ep.source + ")";
}

std::string human_duration(std::chrono::seconds d) {
  const auto s = std::chrono::abs(d).count();
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  return std::to_string(s / 3600) + " h";
}

// CWP_CREATE_LOG_GROUP=false and the group is missing.
std::string missing_group_hint(const std::string& group) {
  return "create it (aws logs create-log-group --log-group-name " + group +
         "), or let the publisher create it (CWP_CREATE_LOG_GROUP=true and logs:CreateLogGroup)";
}

// The CloudWatch Logs part: group, stream and write access, read-only or for real.
struct logs_checks {
  const config::settings* s;
  const cloudwatch::logs_client* logs;
  report_builder* out;
  std::string arn;         // of the log group, for IAM hints
  std::string identity;    // the caller's ARN
  std::string masked_key;  // of the access key in use

  // A failed Logs call: the hint depends on whether AWS denied, rejected or was not reached.
  void failed(const std::string& name, const core::error& e, std::string_view action) const {
    if (is_access_denied(e)) {
      out->fail(name, e.message,
                identity + " may not call " + std::string(action) + ": allow " +
                    publishing_actions + " on " + arn,
                exit_code::failed);
    } else if (is_unreachable(e)) {
      out->fail(name, e.message,
                unreachable_hint(e, s->logs_endpoint, "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"),
                exit_code::failed);
    } else if (is_rejected_credentials_code(e.remote_code)) {
      out->fail(name, e.message, rejected_hint(e, masked_key), exit_code::credentials_rejected);
    } else {
      out->fail(name, e.message, "CloudWatch Logs refused " + std::string(action),
                exit_code::failed);
    }
  }

  // An existing group: its class, and whether EMF metrics can come out of it.
  void report_group(const cloudwatch::log_group_info& found) const {
    out->fact(logging::kv("log_group_class", found.log_class));
    const std::string detail = s->log_group + " exists (class " + found.log_class + ")";
    if (found.log_class == "INFREQUENT_ACCESS" && s->emf) {
      out->warn("log group", detail,
                "Infrequent Access log groups extract no metrics from Embedded Metric Format: "
                "heartbeats are stored, but the Heartbeat metric of CWP_EMF_NAMESPACE stays "
                "empty and its alarm fires; publish to a STANDARD group for EMF metrics");
    } else {
      out->pass("log group", detail);
    }
  }

  void read_only(const std::string& stream) const {
    const std::string& group = s->log_group;
    const std::string describe_note =
        "publishing does not need it; allow logs:DescribeLogGroups and logs:DescribeLogStreams "
        "to see here whether they exist, or run `cloudwatch-publisher check --write`";
    std::optional<bool> group_exists;
    if (auto found = logs->describe_log_group(group)) {
      group_exists = found->has_value();
      if (*found) {
        report_group(**found);
      } else if (!s->create_log_group) {
        out->fail("log group", group + " does not exist, and CWP_CREATE_LOG_GROUP=false",
                  missing_group_hint(group), exit_code::failed);
      } else {
        out->pass("log group", group + " does not exist; will be created on first publish");
      }
    } else if (is_access_denied(found.error())) {
      out->pass("log group", group + ": not verified (logs:DescribeLogGroups is not allowed)",
                describe_note);
    } else {
      failed("log group", found.error(), "logs:DescribeLogGroups");
      out->skip("log stream", "CloudWatch Logs did not answer");
      out->skip("write access", "CloudWatch Logs did not answer");
      return;
    }

    if (group_exists == false) {
      out->pass("log stream", stream + " does not exist; will be created on first publish");
    } else if (auto exists = logs->log_stream_exists(group, stream)) {
      out->pass("log stream", stream + (*exists ? " exists"
                                                : " does not exist; will be created on first "
                                                  "publish"));
    } else if (is_access_denied(exists.error())) {
      out->pass("log stream", stream + ": not verified (logs:DescribeLogStreams is not allowed)",
                describe_note);
    } else {
      failed("log stream", exists.error(), "logs:DescribeLogStreams");
    }

    out->pass("write access", "not tested (read-only check)",
              "publishing needs " +
                  std::string(s->create_log_group ? publishing_actions : existing_group_actions) +
                  " on " + arn +
                  "; `cloudwatch-publisher check --write` proves them by creating the group and "
                  "stream if missing and putting one test event");
  }

  void write(const std::string& stream, const cloudwatch::log_event& event) const {
    const std::string& group = s->log_group;
    std::string not_created = "CWP_CREATE_LOG_GROUP=false";
    if (s->create_log_group) {
      // Created as publishing would create it: class, KMS key, tags.
      auto group_created = logs->create_log_group(group, s->log_group_options);
      if (!group_created && !is_access_denied(group_created.error())) {
        failed("log group", group_created.error(), "logs:CreateLogGroup");
        out->skip("log stream", "the log group is not usable");
        out->skip("write access", "the log group is not usable");
        return;
      }
      if (group_created) {
        out->pass("log group", group + (*group_created ? " created" : " exists"));
        not_created.clear();
      } else {  // as publishing: a policy for a pre-created group has no logs:CreateLogGroup
        not_created = "logs:CreateLogGroup is not allowed";
      }
    }
    if (!not_created.empty()) {
      out->pass("log group", group + ": not created (" + not_created + ")",
                "publishing takes the group to exist; the log stream check shows whether it does");
    }

    auto stream_created = logs->create_log_stream(group, stream);
    if (!stream_created && !not_created.empty() &&
        stream_created.error().remote_code == "ResourceNotFoundException") {
      out->fail("log stream", group + " does not exist, and " + not_created,
                missing_group_hint(group), exit_code::failed);
      out->skip("write access", "the log stream is not usable");
      return;
    }
    if (!stream_created) {
      failed("log stream", stream_created.error(), "logs:CreateLogStream");
      out->skip("write access", "the log stream is not usable");
      return;
    }
    out->pass("log stream", stream + (*stream_created ? " created" : " exists"));

    auto put = logs->put_log_events(group, stream, std::span(&event, 1));
    if (!put) {
      failed("write access", put.error(), "logs:PutLogEvents");
    } else if (put->rejected() > 0) {
      out->fail("write access",
                std::string("CloudWatch Logs rejected the test event as too ") +
                    (put->too_new > 0 ? "new" : "old"),
                "the host clock is wrong: sync it (chrony, ntpd, systemd-timesyncd)",
                exit_code::failed);
    } else {
      out->pass("write access", "test event accepted in " + group + "/" + stream);
    }
  }
};

cloudwatch::log_event make_check_event(const config::settings& s, core::sys_time now) {
  nlohmann::ordered_json message{
      {"event", "check"},
      {"status", "test"},
      {"service", "cloudwatch-publisher"},
      {"host", s.hostname},
      {"version", CWP_VERSION},
      {"timestamp", core::format_iso8601_seconds(now)},
      {"message", "cloudwatch-publisher check --write: test event, not a heartbeat"}};
  return {core::to_epoch_millis(now),
          message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace

namespace {

void check_configuration(const config::settings& s, report_builder& out) {
  out.pass("region", s.region + " (" + s.region_source + ")");
  out.fact(logging::kv("region", s.region));
  out.fact(logging::kv("region_source", s.region_source));
  out.pass("endpoints", "CloudWatch Logs " + endpoint_text(s.logs_endpoint) + ", STS " +
                            endpoint_text(s.sts_endpoint));
  out.fact(logging::kv("logs_endpoint", s.logs_endpoint.url.origin()));
  out.fact(logging::kv("sts_endpoint", s.sts_endpoint.url.origin()));
}

// Which source answered, and until when. Returns the masked access key id, or nullopt when
// there are no usable credentials (the later checks are then skipped).
std::optional<std::string> check_credentials(const core::result<aws::credentials>& creds,
                                             core::sys_time now, report_builder& out) {
  const std::vector<std::string> after_credentials{"caller identity", "clock skew", "log group",
                                                   "log stream", "write access"};
  if (!creds) {
    const core::error& e = creds.error();
    if (e.code == core::errc::credentials || e.code == core::errc::invalid_argument) {
      out.fail("credentials", e.message, no_credentials_hint(), exit_code::usage);
    } else if (daemon::is_credentials_rejection(e)) {
      out.fail("credentials", e.message,
               "the identity provider refused to issue credentials: check the role ARN, its "
               "trust policy and the web identity token or source profile",
               exit_code::credentials_rejected);
    } else {
      out.fail("credentials", e.message,
               "the credentials source did not answer: check that its endpoint is reachable "
               "(container credentials, instance metadata, STS)",
               exit_code::failed);
    }
    for (const auto& name : after_credentials) out.skip(name, "no credentials");
    return std::nullopt;
  }
  const std::string masked = mask_access_key(creds->access_key_id);
  std::string expiry = "does not expire";
  if (creds->expiration) {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(*creds->expiration - now);
    expiry = "expires " + core::format_iso8601_seconds(*creds->expiration) +
             (left.count() >= 0 ? " (in " + human_duration(left) + ")"
                                : " (" + human_duration(left) + " ago)");
  }
  const std::string detail = creds->provider + ", access key " + masked + ", " + expiry;
  out.fact(logging::kv("credentials_provider", creds->provider));
  out.fact(logging::kv(
      "credentials_expiration",
      creds->expiration ? core::format_iso8601_seconds(*creds->expiration) : std::string("never")));
  if (creds->expiration && *creds->expiration <= now) {
    out.fail("credentials", detail,
             "the credentials have expired: refresh them (for AWS_CREDENTIAL_EXPIRATION, also "
             "AWS_SESSION_TOKEN), or use a role the publisher refreshes itself",
             exit_code::credentials_rejected);
    for (const auto& name : after_credentials) out.skip(name, "expired credentials");
    return std::nullopt;
  }
  out.pass("credentials", detail);
  return masked;
}

std::optional<aws::caller_identity> check_identity(const aws::sts_client& sts,
                                                   const config::settings& s,
                                                   const std::string& masked_key,
                                                   report_builder& out) {
  auto id = sts.get_caller_identity();
  if (id) {
    out.pass("caller identity", id->arn + " (account " + id->account + ")");
    out.fact(logging::kv("account", id->account));
    out.fact(logging::kv("arn", id->arn));
    return std::move(*id);
  }
  if (daemon::is_credentials_rejection(id.error())) {
    out.fail("caller identity", id.error().message, rejected_hint(id.error(), masked_key),
             exit_code::credentials_rejected);
  } else {
    out.fail("caller identity", id.error().message,
             unreachable_hint(id.error(), s.sts_endpoint, "AWS_ENDPOINT_URL_STS"),
             exit_code::failed);
  }
  return std::nullopt;
}

void check_clock(const date_recorder& recorder, report_builder& out) {
  const auto offset = recorder.offset();
  if (!offset) {
    out.skip("clock skew", "no answer from AWS to compare with");
    return;
  }
  out.fact(logging::kv("clock_offset_ms", static_cast<long long>(offset->count())));
  const auto seconds =
      std::chrono::seconds{std::llround(static_cast<double>(offset->count()) / 1000.0)};
  const std::string direction = seconds.count() > 0 ? " behind AWS" : " ahead of AWS";
  if (std::chrono::abs(*offset) > max_clock_offset) {
    out.fail("clock skew", "local clock is " + human_duration(seconds) + direction,
             "sync the host clock (chrony, ntpd, systemd-timesyncd): AWS rejects requests "
             "signed more than 5 minutes off, and heartbeat timestamps come from this clock",
             exit_code::failed);
  } else if (std::chrono::abs(seconds) <= std::chrono::seconds{1}) {
    out.pass("clock skew", "local clock within 1 s of AWS");
  } else {
    out.pass("clock skew", "local clock is " + human_duration(seconds) + direction);
  }
}

// The stream a heartbeat would go to now, or nullopt when no valid name is known (the log
// group passes, the stream fails, write access is skipped).
std::optional<std::string> check_stream_name(const config::settings& s, const daemon::platform& p,
                                             core::sys_time now, report_builder& out) {
  auto names = resolve_stream_names(s, config::setting::log_stream, p);
  if (!names) {
    out.pass("log group", s.log_group);
    out.fail("log stream", names.error().message, std::string(instance_id_hint), exit_code::usage);
    out.skip("write access", "no valid stream name");
    return std::nullopt;
  }
  if (s.log_stream.uses("instance_id")) {
    out.fact(logging::kv("instance_id", names->values.instance_id));
  }
  auto stream = names->render(now);
  if (auto valid = check_names(config::setting::log_stream, *names); !valid || !stream) {
    out.pass("log group", s.log_group);
    out.fail("log stream", valid ? stream.error().message : valid.error().message,
             "fix the stream name template (CWP_LOG_STREAM / --log-stream)", exit_code::usage);
    out.skip("write access", "no valid stream name");
    return std::nullopt;
  }
  out.fact(logging::kv("log_stream", *stream));
  return std::move(*stream);
}

// "aws" of arn:aws:iam::123456789012:user/x (aws-cn, aws-us-gov...).
std::string partition_of(const std::string& arn) {
  const auto colon = arn.find(':', 4);
  return arn.starts_with("arn:") && colon != std::string::npos ? arn.substr(4, colon - 4) : "aws";
}

}  // namespace

check_report run_checks(const config::settings& s, const daemon::platform& p,
                        const check_options& options) {
  report_builder out(options.write);
  check_configuration(s, out);
  const auto creds = p.credentials->get();
  const core::sys_time now = p.clock->now();
  const auto masked = check_credentials(creds, now, out);
  if (!masked) return out.take();

  // Every AWS call goes through the recorder, so any answer tells us the server's time.
  date_recorder recorder(*p.transport, *p.clock);
  const daemon::aws_clients aws(aws_settings_of(s), p, /*retry_log=*/nullptr,
                                {.transport = &recorder, .retries = nullptr});
  const auto id = check_identity(aws.sts, s, *masked, out);
  check_clock(recorder, out);
  if (!id) {
    for (const auto& name : {"log group", "log stream", "write access"}) {
      out.skip(name, "the caller identity is unknown");
    }
    return out.take();
  }

  out.fact(logging::kv("log_group", s.log_group));
  const auto stream = check_stream_name(s, p, now, out);
  if (!stream) return out.take();
  const logs_checks checks{
      &s,      &aws.logs,
      &out,    log_group_arn(partition_of(id->arn), s.region, id->account, s.log_group),
      id->arn, *masked};
  if (options.write) {
    checks.write(*stream, make_check_event(s, p.clock->now()));
  } else {
    checks.read_only(*stream);
  }
  return out.take();
}

exit_code run_check(const config::settings& s, const daemon::platform& p,
                    const check_options& options, std::ostream& out) {
  const auto report = run_checks(s, p, options);
  out << (options.json ? render_json(report) : render_text(report, options.colour));
  out.flush();
  return report.code;
}

}  // namespace cwp::commands
