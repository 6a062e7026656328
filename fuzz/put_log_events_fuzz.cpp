// libFuzzer target: a PutLogEvents answer for a batch. Input: a first line with the batch size
// in decimal (anything else means 0; any size_t, though the service caps a batch at 10,000),
// then the JSON body. Parsing must not crash, and every sent event is counted exactly once:
// accepted + rejected equals the batch size, whatever indexes the answer claims.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cloudwatch/logs_client.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view count = input.substr(0, newline);
  std::size_t sent = 0;
  std::from_chars(count.data(), count.data() + count.size(), sent);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

  const auto r = cwp::cloudwatch::parse_put_log_events(body, sent);
  if (!r) {
    if (r.error().message.empty()) std::abort();
    return 0;
  }
  if (r->accepted > sent || r->too_new > sent || r->too_old > sent || r->expired > sent) {
    std::abort();
  }
  if (r->accepted + r->rejected() != sent) std::abort();
  return 0;
}
