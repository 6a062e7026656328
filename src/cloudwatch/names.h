#pragma once
// Log group names, log stream name templates and their validation against the service's rules,
// so a bad setting is reported at start-up instead of by every PutLogEvents.

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/error.h"

namespace cwp::cloudwatch {

// Log group names: 1-512 characters from [.-_/#A-Za-z0-9] (service rule).
inline constexpr std::size_t max_name_length = 512;

core::result<std::string> validate_log_group(std::string_view name);
// Log stream names: 1-512 characters, no ':' or '*' (service rule).
core::result<std::string> validate_log_stream(std::string_view name);

// Values a stream template can refer to besides the date.
struct template_values {
  std::string hostname;
  std::string instance_id;
};

// A stream name template such as "heartbeat-{date}". Placeholders: {date} (UTC YYYY-MM-DD of
// the event), {hostname}, {instance_id}. Unknown placeholders are rejected at parse time.
class stream_template {
 public:
  static core::result<stream_template> parse(std::string_view text);

  // The stream name for an event at time t; fails when the rendered name breaks the rules.
  core::result<std::string> render(core::sys_time t, const template_values& values) const;
  // The name for an event at time t, not validated.
  std::string expand(core::sys_time t, const template_values& values) const;
  // Whether every name rendered with `values` is valid, whatever the date: {date} always
  // renders as 10 characters of digits and '-' (YYYY-MM-DD), so one representative date stands
  // for all. The error says what the names render to, how long they are and what broke the rule.
  core::result<void> check_values(const template_values& values) const;
  const std::string& text() const { return text_; }
  bool uses(std::string_view placeholder) const;

 private:
  struct piece {
    bool placeholder{false};
    std::string text;  // literal text, or the placeholder's name
  };
  std::string text_;
  std::vector<piece> pieces_;
};

// A stream template with the final values of its placeholders: what publishing code renders
// stream names from once the configuration is complete ({instance_id} is resolved at start).
struct stream_names {
  stream_template pattern;
  template_values values;

  core::result<std::string> render(core::sys_time t) const { return pattern.render(t, values); }
};

}  // namespace cwp::cloudwatch
