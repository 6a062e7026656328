#pragma once
// HTTP request and response values. Plain data: no I/O here, so the signer and the AWS clients
// build and inspect them without a network.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace cwp::http {

struct header {
  std::string name;
  std::string value;
};

// An absolute http(s) URL split into the parts the transport and the signer need.
struct url {
  std::string scheme;  // "http" or "https"
  std::string host;    // name or address; IPv6 without brackets
  std::uint16_t port{0};
  std::string path{"/"};  // as sent on the wire (already percent-encoded), never empty
  std::string query;      // without '?', as sent on the wire

  // Parses "https://host[:port][/path][?query]". Fails on any other scheme, userinfo or a
  // fragment, so a misconfigured endpoint is reported instead of half-used.
  static core::result<url> parse(std::string_view text);

  bool default_port() const;
  // The Host header value: host, plus ":port" when the port is not the scheme's default.
  std::string host_header() const;
  // scheme://host[:port] (no path): for log lines and error messages.
  std::string origin() const;
};

struct request {
  std::string method{"GET"};
  url target;
  // In insertion order; duplicates allowed (the signer joins them as SigV4 requires).
  std::vector<header> headers;
  std::string body;
  // Never sent: values the answer must not carry back (a secret key, a token sent in the body).
  // The transport cuts them, and the credential headers' values, out of the response; see
  // http/redaction.h.
  std::vector<std::string> secrets;
  // Connect directly whatever the proxy settings say (container credential endpoints).
  bool bypass_proxy{false};

  // Appends a header (does not replace).
  void add_header(std::string name, std::string value);
  // Replaces every header of that name (case-insensitive) with one value.
  void set_header(std::string_view name, std::string value);
  // First value of a header, case-insensitive.
  std::optional<std::string> find_header(std::string_view name) const;
};

struct response {
  int status{0};
  std::vector<header> headers;
  std::string body;

  std::optional<std::string> find_header(std::string_view name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace cwp::http
