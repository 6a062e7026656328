#include "cloudwatch/names.h"

#include <algorithm>
#include <array>

#include "core/time_format.h"

namespace cwp::cloudwatch {
namespace {

constexpr std::array<std::string_view, 3> placeholders = {"date", "hostname", "instance_id"};

bool group_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_' || c == '/' || c == '#';
}

}  // namespace

core::result<std::string> validate_log_group(std::string_view name) {
  if (name.empty() || name.size() > max_name_length) {
    return core::fail(core::errc::invalid_argument,
                      "log group name must be 1 to 512 characters long");
  }
  const auto* const bad = std::find_if_not(name.begin(), name.end(), group_char);
  if (bad != name.end()) {
    return core::fail(core::errc::invalid_argument,
                      "log group name '" + std::string(name) + "' contains '" +
                          std::string(1, *bad) + "'; allowed are letters, digits and . - _ / #");
  }
  return std::string(name);
}

core::result<std::string> validate_log_stream(std::string_view name) {
  if (name.empty() || name.size() > max_name_length) {
    return core::fail(core::errc::invalid_argument,
                      "log stream name must be 1 to 512 characters long");
  }
  if (name.find_first_of(":*") != std::string_view::npos) {
    return core::fail(core::errc::invalid_argument,
                      "log stream name '" + std::string(name) + "' must not contain ':' or '*'");
  }
  return std::string(name);
}

core::result<stream_template> stream_template::parse(std::string_view text) {
  stream_template t;
  t.text_ = std::string(text);
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto open = text.find('{', pos);
    if (open == std::string_view::npos) {
      t.pieces_.push_back({false, std::string(text.substr(pos))});
      break;
    }
    if (open > pos) t.pieces_.push_back({false, std::string(text.substr(pos, open - pos))});
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) {
      return core::fail(core::errc::invalid_argument,
                        "stream name template '" + std::string(text) + "' has an unclosed '{'");
    }
    const std::string_view name = text.substr(open + 1, close - open - 1);
    if (std::find(placeholders.begin(), placeholders.end(), name) == placeholders.end()) {
      return core::fail(core::errc::invalid_argument,
                        "stream name template '" + std::string(text) + "' uses unknown {" +
                            std::string(name) + "}; known are {date}, {hostname}, {instance_id}");
    }
    t.pieces_.push_back({true, std::string(name)});
    pos = close + 1;
  }
  if (t.pieces_.empty()) {
    return core::fail(core::errc::invalid_argument, "stream name template is empty");
  }
  // Validate the literal parts now: rendering then only fails on odd placeholder values.
  std::string literal;
  for (const auto& p : t.pieces_) literal += p.placeholder ? "x" : p.text;
  if (auto ok = validate_log_stream(literal);
      !ok && literal.find_first_of(":*") != std::string::npos) {
    return core::fail(core::errc::invalid_argument, "stream name template '" + std::string(text) +
                                                        "' must not contain ':' or '*'");
  }
  return t;
}

core::result<std::string> stream_template::render(core::sys_time t,
                                                  const template_values& values) const {
  return validate_log_stream(expand(t, values));
}

std::string stream_template::expand(core::sys_time t, const template_values& values) const {
  std::string out;
  for (const auto& p : pieces_) {
    if (!p.placeholder) {
      out += p.text;
    } else if (p.text == "date") {
      out += core::format_date(t);
    } else if (p.text == "hostname") {
      out += values.hostname;
    } else {
      out += values.instance_id;
    }
  }
  return out;
}

core::result<void> stream_template::check_values(const template_values& values) const {
  const std::string sample = expand(core::sys_time{}, values);
  if (validate_log_stream(sample)) return {};
  constexpr std::size_t shown = 60;
  const std::string quoted =
      "'" + (sample.size() > shown ? sample.substr(0, shown) + "..." : sample) + "'";
  const std::string rendered =
      "'" + text_ + "' renders to " + quoted + " (" + std::to_string(sample.size()) + " characters";
  if (sample.empty() || sample.size() > max_name_length) {
    return core::fail(core::errc::invalid_argument,
                      rendered + "); CloudWatch Logs allows log stream names of 1 to " +
                          std::to_string(max_name_length) + " characters");
  }
  return core::fail(core::errc::invalid_argument,
                    rendered + ", with '" + sample.substr(sample.find_first_of(":*"), 1) +
                        "'); CloudWatch Logs does not allow ':' or '*' in log stream names");
}

bool stream_template::uses(std::string_view placeholder) const {
  return std::any_of(pieces_.begin(), pieces_.end(),
                     [&](const piece& p) { return p.placeholder && p.text == placeholder; });
}

}  // namespace cwp::cloudwatch
