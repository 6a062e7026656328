#include "commands/check_report.h"

#include <nlohmann/json.hpp>

namespace cwp::commands {
namespace {

using daemon::exit_code;

const char* status_word(check_status s) {
  switch (s) {
    case check_status::pass:
      return "pass";
    case check_status::fail:
      return "fail";
    case check_status::skip:
      return "skip";
    case check_status::warn:
      return "warn";
  }
  return "fail";
}

}  // namespace

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
      case check_status::warn:
        text += paint("33", "\u26A0");
        break;
    }
    text += " " + c.name + ": " + c.detail + "\n";
    if (!c.hint.empty()) {
      text += std::string("    ") + (c.status == check_status::pass ? "note: " : "hint: ") +
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
                      {"ok", c.status == check_status::pass || c.status == check_status::warn},
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

}  // namespace cwp::commands
