#include "http/message.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace cwp::http {
namespace {

std::optional<std::string> find_in(const std::vector<header>& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

namespace {

// "URL '<text>' <problem>": every parse error names the URL as configured.
tl::unexpected<core::error> invalid_url(std::string_view text, std::string_view problem) {
  return core::fail(core::errc::invalid_argument,
                    "URL '" + std::string(text) + "' " + std::string(problem));
}

struct authority_parts {
  std::string host;  // lower-cased name, or an IPv6 address without its brackets
  std::string_view port_text;
  bool bracketed{false};
};

// Splits "host[:port]" or "[v6]:port".
core::result<authority_parts> split_authority(std::string_view text, std::string_view authority) {
  authority_parts parts;
  parts.bracketed = !authority.empty() && authority.front() == '[';
  if (parts.bracketed) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return invalid_url(text, "has an unterminated IPv6 address");
    parts.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid_url(text, "has junk after the IPv6 address");
      parts.port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    parts.host = lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) parts.port_text = authority.substr(colon + 1);
  }
  return parts;
}

// Host names: letters, digits, '-', '.', '_'; IPv6 addresses (in brackets): hex digits, ':'
// and '.' (an embedded IPv4), with at least one ':'. Anything else would not survive being
// written back into a Host header or an origin.
bool valid_host(const authority_parts& parts) {
  const std::string& host = parts.host;
  if (parts.bracketed) {
    return host.find(':') != std::string::npos && std::all_of(host.begin(), host.end(), [](char c) {
             return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
           });
  }
  return std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
  });
}

// The port written in the URL (1-65535), or the scheme's default when none is.
core::result<std::uint16_t> parse_port(std::string_view text, std::string_view port_text,
                                       std::string_view scheme) {
  if (port_text.empty()) return static_cast<std::uint16_t>(scheme == "https" ? 443 : 80);
  unsigned value = 0;
  const auto [ptr, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
  if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 ||
      value > 65535) {
    return invalid_url(text, "has an invalid port");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

core::result<url> url::parse(std::string_view text) {
  url u;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return invalid_url(text, "has no scheme (expected http:// or https://)");
  }
  u.scheme = lower(text.substr(0, scheme_end));
  if (u.scheme != "http" && u.scheme != "https") {
    return invalid_url(text, "has scheme '" + u.scheme + "' (expected http or https)");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) {
    return invalid_url(text, "must not contain a fragment");
  }
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path_query =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return invalid_url(text, "must not contain user information");
  }
  auto parts = split_authority(text, authority);
  if (!parts) return tl::unexpected(std::move(parts.error()));
  if (parts->host.empty()) return invalid_url(text, "has no host");
  if (!valid_host(*parts)) return invalid_url(text, "has an invalid host (IPv6 needs [brackets])");
  const auto port = parse_port(text, parts->port_text, u.scheme);
  if (!port) return tl::unexpected(port.error());
  u.host = std::move(parts->host);
  u.port = *port;
  const auto q = path_query.find('?');
  u.path = std::string(path_query.substr(0, q));
  if (u.path.empty()) u.path = "/";
  if (q != std::string_view::npos) u.query = std::string(path_query.substr(q + 1));
  return u;
}

bool url::default_port() const {
  return (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
}

std::string url::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!default_port()) h += ":" + std::to_string(port);
  return h;
}

std::string url::origin() const { return scheme + "://" + host_header(); }

void request::add_header(std::string name, std::string value) {
  headers.push_back(header{std::move(name), std::move(value)});
}

void request::set_header(std::string_view name, std::string value) {
  std::erase_if(headers, [&](const header& h) { return iequals(h.name, name); });
  headers.push_back(header{std::string(name), std::move(value)});
}

std::optional<std::string> request::find_header(std::string_view name) const {
  return find_in(headers, name);
}

std::optional<std::string> response::find_header(std::string_view name) const {
  return find_in(headers, name);
}

}  // namespace cwp::http
