// libFuzzer target: any bytes as a log stream name template (CWP_LOG_STREAM). Parsing must not
// crash; an accepted template parses again from its text, holds no ':' or '*' outside the
// placeholders, and renders either a valid stream name or an error.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "cloudwatch/names.h"

namespace {

// 2024-02-29T12:00:00Z
const cwp::core::sys_time event_time{std::chrono::seconds{1'709'208'000}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // The validators see the raw bytes too: they take group and stream names from settings.
  if (const auto group = cwp::cloudwatch::validate_log_group(text); group && *group != text) {
    std::abort();
  }
  if (const auto stream = cwp::cloudwatch::validate_log_stream(text); stream && *stream != text) {
    std::abort();
  }

  const auto parsed = cwp::cloudwatch::stream_template::parse(text);
  if (!parsed) {
    if (parsed.error().message.empty()) std::abort();
    return 0;
  }
  if (parsed->text() != text || !cwp::cloudwatch::stream_template::parse(parsed->text())) {
    std::abort();
  }
  if (text.find_first_of(":*") != std::string_view::npos) std::abort();

  const cwp::cloudwatch::template_values values{"ip-10-0-0-1.ec2.internal", "i-0123456789abcdef0"};
  const auto name = parsed->render(event_time, values);
  if (name) {
    if (name->empty() || name->size() > cwp::cloudwatch::max_name_length ||
        name->find_first_of(":*") != std::string::npos) {
      std::abort();
    }
    if (parsed->uses("date") && name->find("2024-02-29") == std::string::npos) std::abort();
  }
  // A value with a forbidden character fails rendering instead of producing a bad name.
  if (parsed->uses("hostname")) {
    if (parsed->render(event_time, {"bad:host", values.instance_id})) std::abort();
  }
  return 0;
}
