// libFuzzer target: any bytes as a duration setting ("30s", "1h30m", "250ms"). Parsing must not
// crash or overflow, an accepted duration is never negative, and it formats to a text that
// parses back to the same value.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "schedule/duration.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto d = cwp::schedule::parse_duration(text);
  if (!d) {
    if (d.error().message.empty()) std::abort();
    return 0;
  }
  if (*d < std::chrono::milliseconds{0}) std::abort();
  const auto again = cwp::schedule::parse_duration(cwp::schedule::format_duration(*d));
  if (!again || *again != *d) std::abort();
  return 0;
}
