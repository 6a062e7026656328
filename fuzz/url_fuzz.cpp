// libFuzzer target: any bytes as an endpoint URL (CWP_ENDPOINT_URL, AWS_ENDPOINT_URL_*). Parsing
// must not crash, and an accepted URL must be usable: a root path at least, a port, an origin
// that parses back to the same scheme, host and port, and a Host header.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/message.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto url = cwp::http::url::parse(text);
  if (!url) {
    if (url.error().message.empty()) std::abort();
    return 0;
  }
  if (url->scheme != "http" && url->scheme != "https") std::abort();
  // The authority ends at '/' or '?', so the path (defaulting to "/") starts with '/'.
  if (url->host.empty() || url->port == 0 || url->path.empty() || url->path.front() != '/') {
    std::abort();
  }

  const auto again = cwp::http::url::parse(url->origin());
  if (!again || again->scheme != url->scheme || again->port != url->port ||
      !cwp::http::iequals(again->host, url->host) || again->path != "/" || !again->query.empty()) {
    std::abort();
  }
  if (url->host_header().empty()) std::abort();
  return 0;
}
