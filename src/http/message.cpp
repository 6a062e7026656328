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

core::result<url> url::parse(std::string_view text) {
  url u;
  const auto scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) {
    return core::fail(
        core::errc::invalid_argument,
        "URL '" + std::string(text) + "' has no scheme (expected http:// or https://)");
  }
  u.scheme = lower(text.substr(0, scheme_end));
  if (u.scheme != "http" && u.scheme != "https") {
    return core::fail(core::errc::invalid_argument, "URL '" + std::string(text) + "' has scheme '" +
                                                        u.scheme + "' (expected http or https)");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) {
    return core::fail(core::errc::invalid_argument,
                      "URL '" + std::string(text) + "' must not contain a fragment");
  }
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path_query =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos) {
    return core::fail(core::errc::invalid_argument,
                      "URL '" + std::string(text) + "' must not contain user information");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return core::fail(core::errc::invalid_argument,
                        "URL '" + std::string(text) + "' has an unterminated IPv6 address");
    }
    u.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return core::fail(core::errc::invalid_argument,
                          "URL '" + std::string(text) + "' has junk after the IPv6 address");
      }
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    u.host = lower(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (u.host.empty()) {
    return core::fail(core::errc::invalid_argument, "URL '" + std::string(text) + "' has no host");
  }
  // Host names: letters, digits, '-', '.', '_'; IPv6 addresses (in brackets): hex digits, ':'
  // and '.' (an embedded IPv4), with at least one ':'. Anything else would not survive being
  // written back into a Host header or an origin.
  const bool bracketed = !authority.empty() && authority.front() == '[';
  const bool valid_host =
      bracketed ? u.host.find(':') != std::string::npos &&
                      std::all_of(u.host.begin(), u.host.end(),
                                  [](char c) {
                                    return std::isxdigit(static_cast<unsigned char>(c)) ||
                                           c == ':' || c == '.';
                                  })
                : std::all_of(u.host.begin(), u.host.end(), [](char c) {
                    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
                           c == '_';
                  });
  if (!valid_host) {
    return core::fail(
        core::errc::invalid_argument,
        "URL '" + std::string(text) + "' has an invalid host (IPv6 needs [brackets])");
  }
  if (!port_text.empty()) {
    unsigned value = 0;
    const auto [ptr, ec] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || value == 0 ||
        value > 65535) {
      return core::fail(core::errc::invalid_argument,
                        "URL '" + std::string(text) + "' has an invalid port");
    }
    u.port = static_cast<std::uint16_t>(value);
  } else {
    u.port = u.scheme == "https" ? 443 : 80;
  }
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
