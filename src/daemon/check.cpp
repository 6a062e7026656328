#include "daemon/check.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>

#include "aws/clock_skew.h"
#include "aws/retry.h"
#include "aws/service_client.h"
#include "aws/sts_client.h"
#include "cloudwatch/logs_client.h"
#include "core/time_format.h"
#include "daemon/instance_id.h"
#include "daemon/startup.h"

namespace cwp::daemon {
namespace {

// The actions a heartbeat needs, every time (publishing always calls CreateLogGroup and
// CreateLogStream once per process and stream; "already exists" is fine, "denied" is not).
constexpr const char* publishing_actions =
    "logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents";
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

bool is_access_denied(const core::error& e) {
  return e.remote_code == "AccessDenied" || e.remote_code == "AccessDeniedException";
}

bool is_unreachable(const core::error& e) {
  return e.code == core::errc::network || e.code == core::errc::timeout ||
         e.code == core::errc::tls;
}

// Answers about the credentials themselves (not about permissions or the request).
bool is_rejected_credentials_code(std::string_view code) {
  return code == "SignatureDoesNotMatch" || code == "InvalidSignatureException" ||
         code == "IncompleteSignature" || code == "InvalidClientTokenId" ||
         code == "UnrecognizedClientException" || aws::is_expired_credentials_code(code);
}

// What to do when `ep` could not be reached.
std::string unreachable_hint(const core::error& e, const aws::endpoint& ep,
                             std::string_view override_variable) {
  const std::string url = ep.url.origin();
  if (e.code == core::errc::tls) {
    return "the TLS connection to " + url +
           " failed: check AWS_CA_BUNDLE or the system CA certificates, and a proxy that "
           "intercepts TLS (HTTPS_PROXY, NO_PROXY)";
  }
  std::string hint = "could not reach " + url +
                     ": check network access, DNS, firewall and proxy settings (HTTPS_PROXY, "
                     "NO_PROXY)";
  if (ep.source != "default") {
    hint += "; the endpoint comes from " + ep.source + ": check that this URL is right";
  } else {
    hint +=
        "; to use another endpoint set " + std::string(override_variable) + " or AWS_ENDPOINT_URL";
  }
  return hint;
}

// What to do when AWS refused the credentials themselves.
std::string rejected_hint(const core::error& e, std::string_view masked_key) {
  const std::string& code = e.remote_code;
  if (code == "SignatureDoesNotMatch" || code == "InvalidSignatureException" ||
      code == "IncompleteSignature") {
    return "AWS rejected the signature: the secret access key does not belong to access key " +
           std::string(masked_key) +
           "; check the key pair (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
           "aws_access_key_id and aws_secret_access_key in the profile)";
  }
  if (code == "InvalidClientTokenId" || code == "UnrecognizedClientException") {
    return "AWS does not know access key " + std::string(masked_key) +
           ": it was deleted or deactivated, belongs to another account or partition, or "
           "temporary credentials are missing their session token (AWS_SESSION_TOKEN); use an "
           "active key or a role";
  }
  if (aws::is_expired_credentials_code(code)) {
    return "the session token has expired: refresh the temporary credentials, or let the "
           "publisher use a role it refreshes itself (IRSA, Pod Identity, ECS task role, "
           "instance profile)";
  }
  if (is_access_denied(e)) {
    return "allow sts:GetCallerIdentity: the publisher validates its credentials with it at "
           "start";
  }
  return "check that the access key is active, that a session token has not expired, and that "
         "the host clock is correct";
}

std::string no_credentials_hint() {
  return "provide credentials: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus "
         "AWS_SESSION_TOKEN for temporary ones), or set AWS_PROFILE to a profile in "
         "~/.aws/credentials or ~/.aws/config, or run with a role (EKS IRSA or Pod Identity, ECS "
         "task role, EC2 instance profile)";
}

// Builds the report, one check at a time; the first failure decides the exit code.
class report_builder {
 public:
  explicit report_builder(bool write) { report_.write = write; }

  void pass(std::string name, std::string detail, std::string note = {}) {
    report_.checks.push_back(
        {std::move(name), check_status::pass, std::move(detail), std::move(note)});
  }
  void fail(std::string name, std::string detail, std::string hint, exit_code code) {
    report_.checks.push_back(
        {std::move(name), check_status::fail, std::move(detail), std::move(hint)});
    if (report_.code == exit_code::ok) report_.code = code;
  }
  void skip(std::string name, std::string why) {
    report_.checks.push_back({std::move(name), check_status::skip, "not checked: " + why, ""});
  }
  void fact(logging::field f) { report_.facts.push_back(std::move(f)); }

  check_report take() { return std::move(report_); }

 private:
  check_report report_;
};

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

  void read_only(const std::string& stream) const {
    const std::string& group = s->log_group;
    const std::string describe_note =
        "publishing does not need it; allow logs:DescribeLogGroups and logs:DescribeLogStreams "
        "to see here whether they exist, or run `cloudwatch-publisher check --write`";
    std::optional<bool> group_exists;
    if (auto exists = logs->log_group_exists(group)) {
      group_exists = *exists;
      if (*exists) {
        out->pass("log group", group + " exists");
      } else {
        out->pass("log group", group + " does not exist; will be created on first publish");
      }
    } else if (is_access_denied(exists.error())) {
      out->pass("log group", group + ": not verified (logs:DescribeLogGroups is not allowed)",
                describe_note);
    } else {
      failed("log group", exists.error(), "logs:DescribeLogGroups");
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
              "publishing needs " + std::string(publishing_actions) + " on " + arn +
                  "; `cloudwatch-publisher check --write` proves them by creating the group and "
                  "stream if missing and putting one test event");
  }

  void write(const std::string& stream, const cloudwatch::log_event& event) const {
    const std::string& group = s->log_group;
    auto group_created = logs->create_log_group(group);
    if (!group_created) {
      failed("log group", group_created.error(), "logs:CreateLogGroup");
      out->skip("log stream", "the log group is not usable");
      out->skip("write access", "the log group is not usable");
      return;
    }
    out->pass("log group", group + (*group_created ? " created" : " exists"));

    auto stream_created = logs->create_log_stream(group, stream);
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

const char* status_word(check_status s) {
  switch (s) {
    case check_status::pass:
      return "pass";
    case check_status::fail:
      return "fail";
    case check_status::skip:
      return "skip";
  }
  return "fail";
}

}  // namespace

std::string mask_access_key(std::string_view access_key_id) {
  constexpr std::size_t shown = 4;
  if (access_key_id.size() <= shown * 2) return "****";
  return "****" + std::string(access_key_id.substr(access_key_id.size() - shown));
}

std::string log_group_arn(std::string_view partition, std::string_view region,
                          std::string_view account, std::string_view group) {
  return "arn:" + std::string(partition) + ":logs:" + std::string(region) + ":" +
         std::string(account) + ":log-group:" + std::string(group) + ":*";
}

check_report run_checks(const config::settings& s, platform& p, const check_options& options) {
  report_builder out(options.write);
  const std::vector<std::string> after_credentials{"caller identity", "clock skew", "log group",
                                                   "log stream", "write access"};

  out.pass("region", s.region + " (" + s.region_source + ")");
  out.fact(logging::kv("region", s.region));
  out.fact(logging::kv("region_source", s.region_source));
  out.pass("endpoints", "CloudWatch Logs " + endpoint_text(s.logs_endpoint) + ", STS " +
                            endpoint_text(s.sts_endpoint));
  out.fact(logging::kv("logs_endpoint", s.logs_endpoint.url.origin()));
  out.fact(logging::kv("sts_endpoint", s.sts_endpoint.url.origin()));

  // Credentials: which source answers, and until when.
  auto creds = p.credentials->get();
  if (!creds) {
    const core::error& e = creds.error();
    if (e.code == core::errc::credentials || e.code == core::errc::invalid_argument) {
      out.fail("credentials", e.message, no_credentials_hint(), exit_code::usage);
    } else if (is_credentials_rejection(e)) {
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
    return out.take();
  }
  const std::string masked = mask_access_key(creds->access_key_id);
  const core::sys_time now = p.clock->now();
  std::string expiry = "does not expire";
  if (creds->expiration) {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(*creds->expiration - now);
    expiry = "expires " + core::format_iso8601_seconds(*creds->expiration) +
             (left.count() >= 0 ? " (in " + human_duration(left) + ")"
                                : " (" + human_duration(left) + " ago)");
  }
  const std::string credentials_detail = creds->provider + ", access key " + masked + ", " + expiry;
  out.fact(logging::kv("credentials_provider", creds->provider));
  out.fact(logging::kv(
      "credentials_expiration",
      creds->expiration ? core::format_iso8601_seconds(*creds->expiration) : std::string("never")));
  if (creds->expiration && *creds->expiration <= now) {
    out.fail("credentials", credentials_detail,
             "the credentials have expired: refresh them (for AWS_CREDENTIAL_EXPIRATION, also "
             "AWS_SESSION_TOKEN), or use a role the publisher refreshes itself",
             exit_code::credentials_rejected);
    for (const auto& name : after_credentials) out.skip(name, "expired credentials");
    return out.take();
  }
  out.pass("credentials", credentials_detail);

  // Every AWS call goes through the recorder, so any answer tells us the server's time.
  date_recorder recorder(*p.transport, *p.clock);
  aws::clock_skew skew(*p.clock);
  const aws::client_context context{&recorder,   p.credentials,
                                    p.clock,     &skew,
                                    s.retry,     std::make_shared<aws::retry_quota>(),
                                    p.uniform01, http::send_options{},
                                    nullptr};
  const aws::sts_client sts(aws::service_client(context, s.sts_endpoint));
  const cloudwatch::logs_client logs(aws::service_client(context, s.logs_endpoint));

  auto id = sts.get_caller_identity();
  if (id) {
    out.pass("caller identity", id->arn + " (account " + id->account + ")");
    out.fact(logging::kv("account", id->account));
    out.fact(logging::kv("arn", id->arn));
  } else if (is_credentials_rejection(id.error())) {
    out.fail("caller identity", id.error().message, rejected_hint(id.error(), masked),
             exit_code::credentials_rejected);
  } else {
    out.fail("caller identity", id.error().message,
             unreachable_hint(id.error(), s.sts_endpoint, "AWS_ENDPOINT_URL_STS"),
             exit_code::failed);
  }

  if (auto offset = recorder.offset()) {
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
  } else {
    out.skip("clock skew", "no answer from AWS to compare with");
  }

  if (!id) {
    for (const auto& name : {"log group", "log stream", "write access"}) {
      out.skip(name, "the caller identity is unknown");
    }
    return out.take();
  }

  out.fact(logging::kv("log_group", s.log_group));
  config::settings resolved = s;  // gets the resolved {instance_id}
  if (auto known = resolve_instance_id(resolved, s.log_stream, "CWP_LOG_STREAM", p); !known) {
    out.pass("log group", s.log_group);
    out.fail("log stream", known.error().message, std::string(instance_id_hint), exit_code::usage);
    out.skip("write access", "no valid stream name");
    return out.take();
  }
  if (s.log_stream.uses("instance_id")) {
    out.fact(logging::kv("instance_id", resolved.instance_id));
  }
  auto stream = s.log_stream.render(now, {s.hostname, resolved.instance_id});
  if (!stream) {
    out.pass("log group", s.log_group);
    out.fail("log stream", "CWP_LOG_STREAM: " + stream.error().message,
             "fix the stream name template (CWP_LOG_STREAM / --log-stream)", exit_code::usage);
    out.skip("write access", "no valid stream name");
    return out.take();
  }
  out.fact(logging::kv("log_stream", *stream));

  const auto colon = id->arn.find(':', 4);
  const std::string partition = id->arn.starts_with("arn:") && colon != std::string::npos
                                    ? id->arn.substr(4, colon - 4)
                                    : "aws";
  const logs_checks checks{&s,      &logs,
                           &out,    log_group_arn(partition, s.region, id->account, s.log_group),
                           id->arn, masked};
  if (options.write) {
    checks.write(*stream, make_check_event(s, p.clock->now()));
  } else {
    checks.read_only(*stream);
  }
  return out.take();
}

std::string render_text(const check_report& report, bool colour) {
  const auto paint = [colour](const char* code, const char* text) {
    return colour ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : std::string(text);
  };
  std::string text;
  std::size_t failed = 0;
  for (const auto& c : report.checks) {
    switch (c.status) {
      case check_status::pass:
        text += paint("32", "\u2714");
        break;
      case check_status::fail:
        text += paint("31", "\u2718");
        ++failed;
        break;
      case check_status::skip:
        text += paint("33", "-");
        break;
    }
    text += " " + c.name + ": " + c.detail + "\n";
    if (!c.hint.empty()) {
      text += std::string("    ") + (c.status == check_status::fail ? "hint: " : "note: ") +
              c.hint + "\n";
    }
  }
  if (report.code == exit_code::ok) {
    text += report.write ? "result: publishing works (test event accepted)\n"
                         : "result: no problem found (write access not tested: add --write)\n";
  } else {
    text += "result: publishing would fail (" + std::to_string(failed) + " of " +
            std::to_string(report.checks.size()) + " checks failed)\n";
  }
  return text;
}

std::string render_json(const check_report& report) {
  nlohmann::ordered_json facts = nlohmann::ordered_json::object();
  for (const auto& f : report.facts) {
    if (f.is_number) {
      facts[f.key] = f.number;
    } else {
      facts[f.key] = f.text;
    }
  }
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const auto& c : report.checks) {
    checks.push_back({{"name", c.name},
                      {"status", status_word(c.status)},
                      {"ok", c.status == check_status::pass},
                      {"detail", c.detail},
                      {"hint", c.hint.empty() ? nlohmann::ordered_json(nullptr)
                                              : nlohmann::ordered_json(c.hint)}});
  }
  const nlohmann::ordered_json doc{{"ok", report.code == exit_code::ok},
                                   {"exit_code", to_int(report.code)},
                                   {"write", report.write},
                                   {"facts", facts},
                                   {"checks", checks}};
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace cwp::daemon
