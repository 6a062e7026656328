#pragma once
// Proxy selection with the curl/botocore environment conventions: which forward proxy, if any, a
// request goes through. Pure code: the environment is read through an injected lookup.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "http/message.h"

namespace cwp::http {

// An http:// forward proxy. Credentials, when present, go into Proxy-Authorization only; they
// never appear in messages (use authority()).
struct proxy_endpoint {
  std::string host;  // name or address; IPv6 without brackets
  std::uint16_t port{0};
  std::string username;  // percent-decoded; empty when the proxy URL has no user information
  std::string password;  // percent-decoded

  // Parses "[http://][user[:password]@]host[:port][/]". The port defaults to 80 (botocore).
  static core::result<proxy_endpoint> parse(std::string_view text);

  bool has_credentials() const { return !username.empty() || !password.empty(); }
  // "host:port" (IPv6 in brackets): for error messages and pool keys, without the credentials.
  std::string authority() const;
};

using env_lookup = std::function<std::optional<std::string>(std::string_view)>;

// The proxies configured in the environment and the NO_PROXY exceptions. Default-constructed, it
// sends every request directly.
class proxy_settings {
 public:
  // Reads https_proxy/HTTPS_PROXY (https URLs), http_proxy/HTTP_PROXY (http URLs),
  // all_proxy/ALL_PROXY (fallback for both) and no_proxy/NO_PROXY. The lower-case name wins when
  // both are set, as in curl; an empty value means "none". An unparsable value fails with
  // errc::invalid_argument naming the variable.
  static core::result<proxy_settings> from_environment(const env_lookup& env);

  // The proxy a request to `target` goes through, or nullopt to connect directly.
  std::optional<proxy_endpoint> select(const url& target) const;

 private:
  // One NO_PROXY entry: a host-name suffix, or an address block (an exact IP is a full-length
  // block).
  struct bypass_rule {
    std::string domain;  // empty for an address rule
    int family{0};       // AF_INET or AF_INET6 for an address rule
    std::array<std::uint8_t, 16> address{};
    unsigned prefix_bits{0};
  };

  static core::result<bypass_rule> parse_bypass_rule(std::string_view entry);
  bool bypassed(const std::string& host) const;

  std::optional<proxy_endpoint> http_;
  std::optional<proxy_endpoint> https_;
  bool bypass_all_{false};
  std::vector<bypass_rule> bypass_;
};

}  // namespace cwp::http
