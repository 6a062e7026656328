#pragma once
// `check`: the operator's preflight. Walks through what publishing depends on (region,
// endpoints, credentials, caller identity, clock, log group, log stream, write access) and
// reports each as one result, with a remediation hint when it fails. Read-only unless
// `write` is set: then the group and stream are created when missing and one test event is put,
// exactly the calls a heartbeat makes. Secrets (secret key, session token, signatures) never
// appear in a result.

#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "daemon/exit_code.h"
#include "daemon/platform.h"
#include "logging/logger.h"

namespace cwp::commands {

using daemon::exit_code;
using daemon::platform;

enum class check_status {
  pass,  // works (the detail may carry a note, e.g. "will be created on first publish")
  fail,  // publishing would not work; the hint says what to do
  skip,  // not tried because an earlier check failed
};

struct check_result {
  std::string name;  // "region", "credentials", "caller identity", ...
  check_status status{check_status::pass};
  std::string detail;  // what was found
  std::string hint;    // fail: what to do; pass: an optional note; may be empty
};

struct check_options {
  bool write{false};  // create group/stream when missing and put one test event
};

struct check_report {
  std::vector<check_result> checks;
  // What was found, for machines (`--output json`): region, endpoints, credentials provider
  // and expiration, account, arn, clock offset, log group and stream.
  std::vector<logging::field> facts;
  bool write{false};
  // ok: publishing would work; usage: no (or half-configured) credentials or a bad setting;
  // credentials_rejected: AWS refused the credentials; failed: anything else failed.
  exit_code code{exit_code::ok};
};

// Runs every check in order. Uses only the platform's transport, clock and credentials; logs
// nothing (the caller prints the report).
check_report run_checks(const config::settings& s, platform& p, const check_options& options);

// One line per check: "✔ region: eu-west-1 (AWS_REGION)", failures followed by an indented
// "hint: ..." line, then a summary line. Colour (green/red) only when `colour` is set.
std::string render_text(const check_report& report, bool colour);
// One JSON document: {"ok","exit_code","write","facts":{...},"checks":[{"name","status","ok",
// "detail","hint"}]}.
std::string render_json(const check_report& report);

// The log-group ARN an IAM policy grants the publishing actions on:
// arn:<partition>:logs:<region>:<account>:log-group:<group>:*
std::string log_group_arn(std::string_view partition, std::string_view region,
                          std::string_view account, std::string_view group);

// "AKIAIOSFODNN7EXAMPLE" -> "****MPLE": enough to tell keys apart, as `aws configure list`.
std::string mask_access_key(std::string_view access_key_id);

}  // namespace cwp::commands
