#pragma once
// What `check` found: one result per check, the facts for machines, the exit code; and its two
// renderings, text for a person and JSON for a pipeline.

#include <string>
#include <vector>

#include "daemon/exit_code.h"
#include "logging/logger.h"

namespace cwp::commands {

enum class check_status {
  pass,  // works (the detail may carry a note, e.g. "will be created on first publish")
  fail,  // publishing would not work; the hint says what to do
  skip,  // not tried because an earlier check failed
  warn,  // publishing works, but something the configuration wants will not (e.g. EMF metrics)
};

struct check_result {
  std::string name;  // "region", "credentials", "caller identity", ...
  check_status status{check_status::pass};
  std::string detail;  // what was found
  std::string hint;    // fail: what to do; pass: an optional note; may be empty
};

struct check_report {
  std::vector<check_result> checks;
  // What was found, for machines (`--output json`): region, endpoints, credentials provider
  // and expiration, account, arn, clock offset, log group and stream.
  std::vector<logging::field> facts;
  bool write{false};
  // ok: publishing would work; usage: no (or half-configured) credentials or a bad setting;
  // credentials_rejected: AWS refused the credentials; failed: anything else failed.
  daemon::exit_code code{daemon::exit_code::ok};
};

// Builds the report, one check at a time; the first failure decides the exit code.
class report_builder {
 public:
  explicit report_builder(bool write) { report_.write = write; }

  void pass(std::string name, std::string detail, std::string note = {}) {
    report_.checks.push_back(
        {std::move(name), check_status::pass, std::move(detail), std::move(note)});
  }
  void fail(std::string name, std::string detail, std::string hint, daemon::exit_code code) {
    report_.checks.push_back(
        {std::move(name), check_status::fail, std::move(detail), std::move(hint)});
    if (report_.code == daemon::exit_code::ok) report_.code = code;
  }
  void warn(std::string name, std::string detail, std::string hint) {
    report_.checks.push_back(
        {std::move(name), check_status::warn, std::move(detail), std::move(hint)});
  }
  void skip(std::string name, const std::string& why) {
    report_.checks.push_back({std::move(name), check_status::skip, "not checked: " + why, ""});
  }
  void fact(logging::field f) { report_.facts.push_back(std::move(f)); }

  check_report take() { return std::move(report_); }

 private:
  check_report report_;
};

// One line per check: "✔ region: eu-west-1 (AWS_REGION)", failures followed by an indented
// "hint: ..." line, then a summary line. Colour (green/red) only when `colour` is set.
std::string render_text(const check_report& report, bool colour);
// One JSON document: {"ok","exit_code","write","facts":{...},"checks":[{"name","status","ok",
// "detail","hint"}]}.
std::string render_json(const check_report& report);

}  // namespace cwp::commands
