// libFuzzer target: any bytes as the two time formats AWS sends us, ISO 8601 (credential
// expirations) and RFC 1123 (the Date header, for clock skew). Parsing must not crash or
// overflow, an accepted time must format back, and an accepted text must have digits exactly
// where the format has digits (no sign, no blank).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/time_format.h"

namespace {

bool digits_at(std::string_view text, std::initializer_list<std::size_t> positions) {
  for (const std::size_t pos : positions) {
    if (pos >= text.size() || text[pos] < '0' || text[pos] > '9') return false;
  }
  return true;
}

void check_formats(cwp::core::sys_time t) {
  if (cwp::core::format_iso8601_millis(t).empty() || cwp::core::format_amz_date(t).empty()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto t = cwp::core::parse_iso8601(text)) {
    // YYYY-MM-DDTHH:MM:SS...
    if (!digits_at(text, {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})) std::abort();
    // ...(Z|±HH:MM)
    if (text.back() != 'Z' && text.back() != 'z' &&
        !digits_at(text, {text.size() - 5, text.size() - 4, text.size() - 2, text.size() - 1})) {
      std::abort();
    }
    check_formats(*t);
  }

  if (const auto t = cwp::core::parse_http_date(text)) {
    // "Sun, 30 Aug 2015 12:36:00 GMT"
    if (!digits_at(text, {5, 6, 12, 13, 14, 15, 17, 18, 20, 21, 23, 24})) std::abort();
    check_formats(*t);
  }
  return 0;
}
