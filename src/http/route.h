#pragma once
// The Beast-free parts of the transport's work: where a request goes (origin and proxy), the
// proxy's credentials, and the HTTP token and field-value rules requests are checked against.

#include <optional>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/proxy.h"

namespace cwp::http {

// Where a request goes: the origin, and the proxy it passes through (if any). Connections are
// pooled by key(). Refers to the request's URL, which must outlive it.
struct route {
  const url& target;
  std::optional<proxy_endpoint> proxy;

  bool tls() const { return target.scheme == "https"; }
  // "host:port" with the port always present: the CONNECT request target.
  std::string authority() const;
  std::string key() const;
  // For error messages: names the hosts, never the proxy credentials.
  std::string describe() const;
};

// The Proxy-Authorization value: "Basic " + base64(user:password).
std::string basic_credentials(const proxy_endpoint& proxy);

// The proxy's credentials travel in a header the transport adds itself, so transport::send
// cannot know them: a proxy (or a server behind it) echoing them is scrubbed here.
void scrub_proxy_credentials(const route& r, response& answer);

// RFC 9110 5.6.2 token (method and header names).
bool is_token(std::string_view s);
// A header value that cannot split the request (no CR, LF or NUL).
bool is_field_value(std::string_view s);

}  // namespace cwp::http
