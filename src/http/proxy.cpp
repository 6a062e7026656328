#include "http/proxy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <utility>

namespace cwp::http {
namespace {

// Instance metadata and container credential endpoints (IMDS, ECS, EKS Pod Identity): link-local
// addresses that a forward proxy cannot reach, so the SDKs never proxy them.
constexpr std::array<std::string_view, 5> metadata_addresses{
    "169.254.169.254", "169.254.170.2", "169.254.170.23", "fd00:ec2::23", "fd00:ec2::254"};

struct ip_address {
  int family{0};
  std::array<std::uint8_t, 16> bytes{};
};

std::optional<ip_address> parse_ip(const std::string& text) {
  ip_address ip;
  if (::inet_pton(AF_INET, text.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET;
    return ip;
  }
  if (::inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) == 1) {
    ip.family = AF_INET6;
    return ip;
  }
  return std::nullopt;
}

bool is_metadata_address(const ip_address& ip) {
  return std::any_of(metadata_addresses.begin(), metadata_addresses.end(), [&](auto address) {
    const auto parsed = parse_ip(std::string(address));
    return parsed && parsed->family == ip.family && parsed->bytes == ip.bytes;
  });
}

unsigned full_prefix(int family) { return family == AF_INET ? 32U : 128U; }

bool prefix_matches(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                    unsigned bits) {
  std::size_t i = 0;
  for (; bits >= 8; bits -= 8, ++i) {
    if (a[i] != b[i]) return false;
  }
  if (bits == 0) return true;
  const auto mask = static_cast<std::uint8_t>(0xFFU << (8U - bits));
  return (a[i] & mask) == (b[i] & mask);
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<unsigned> parse_number(std::string_view text, unsigned max) {
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || value > max) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    unsigned value = 0;
    if (i + 2 >= text.size()) return std::nullopt;
    const auto [ptr, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
    if (ec != std::errc{} || ptr != text.data() + i + 3) return std::nullopt;
    out += static_cast<char>(value);
    i += 2;
  }
  return out;
}

bool valid_host_name(std::string_view host) {
  return !host.empty() && std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '-' || c == '_';
  });
}

// A variable as curl reads it: the lower-case name wins when set (even to ""), then upper case.
struct env_value {
  std::string name;
  std::string value;
};

std::optional<env_value> read_variable(const env_lookup& env, std::string_view lower_name,
                                       std::string_view upper_name) {
  for (const auto name : {lower_name, upper_name}) {
    if (auto value = env(name)) return env_value{std::string(name), std::move(*value)};
  }
  return std::nullopt;
}

}  // namespace

core::result<proxy_endpoint> proxy_endpoint::parse(std::string_view text) {
  const auto invalid = [](std::string_view why) {
    return core::fail(core::errc::invalid_argument, std::string(why));
  };
  text = trim(text);
  if (const auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    if (lower(text.substr(0, scheme_end)) != "http") {
      return invalid("only http:// proxies are supported");
    }
    text.remove_prefix(scheme_end + 3);
  }
  proxy_endpoint proxy;
  if (const auto at = text.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = text.substr(0, at);
    const auto colon = userinfo.find(':');
    auto username = percent_decode(userinfo.substr(0, colon));
    auto password = percent_decode(colon == std::string_view::npos ? std::string_view{}
                                                                   : userinfo.substr(colon + 1));
    if (!username || !password) return invalid("the user information has a bad percent-escape");
    proxy.username = std::move(*username);
    proxy.password = std::move(*password);
    text.remove_prefix(at + 1);
  }
  if (const auto slash = text.find('/'); slash != std::string_view::npos) {
    if (text.substr(slash) != "/") return invalid("a proxy URL must not have a path");
    text = text.substr(0, slash);
  }
  std::optional<std::string_view> port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return invalid("unterminated IPv6 address");
    proxy.host = lower(text.substr(1, close - 1));
    const std::string_view after = text.substr(close + 1);
    if (!after.empty() && after.front() != ':') return invalid("junk after the IPv6 address");
    if (!after.empty()) port_text = after.substr(1);
    if (!parse_ip(proxy.host)) return invalid("bad IPv6 address");
  } else {
    const auto colon = text.find(':');
    proxy.host = lower(text.substr(0, colon));
    if (colon != std::string_view::npos) port_text = text.substr(colon + 1);
    if (!valid_host_name(proxy.host)) return invalid("missing or malformed host");
  }
  proxy.port = 80;
  if (port_text) {
    const auto port = parse_number(*port_text, 65535);
    if (!port || *port == 0) return invalid("invalid port");
    proxy.port = static_cast<std::uint16_t>(*port);
  }
  return proxy;
}

std::string proxy_endpoint::authority() const {
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

core::result<proxy_settings::bypass_rule> proxy_settings::parse_bypass_rule(
    std::string_view entry) {
  bypass_rule rule;
  if (entry.size() >= 2 && entry.front() == '[' && entry.back() == ']') {
    entry = entry.substr(1, entry.size() - 2);
  }
  const auto slash = entry.find('/');
  if (const auto ip = parse_ip(std::string(entry.substr(0, slash)))) {
    rule.family = ip->family;
    rule.address = ip->bytes;
    rule.prefix_bits = full_prefix(ip->family);
    if (slash != std::string_view::npos) {
      const auto bits = parse_number(entry.substr(slash + 1), full_prefix(ip->family));
      if (!bits) {
        return core::fail(core::errc::invalid_argument,
                          "entry '" + std::string(entry) + "' has an invalid prefix length");
      }
      rule.prefix_bits = *bits;
    }
    return rule;
  }
  if (slash != std::string_view::npos) {
    return core::fail(core::errc::invalid_argument,
                      "entry '" + std::string(entry) + "' is not a valid CIDR block");
  }
  std::string domain = lower(entry);
  while (!domain.empty() && domain.front() == '.') domain.erase(0, 1);
  while (!domain.empty() && domain.back() == '.') domain.pop_back();
  rule.domain = std::move(domain);
  return rule;
}

core::result<proxy_settings> proxy_settings::from_environment(const env_lookup& env) {
  proxy_settings settings;
  const auto all = read_variable(env, "all_proxy", "ALL_PROXY");
  const auto parse_proxy =
      [&](std::string_view lower_name,
          std::string_view upper_name) -> core::result<std::optional<proxy_endpoint>> {
    auto variable = read_variable(env, lower_name, upper_name);
    if (!variable) variable = all;
    if (!variable || trim(variable->value).empty()) return std::optional<proxy_endpoint>{};
    auto proxy = proxy_endpoint::parse(variable->value);
    if (!proxy) {
      // The value is not repeated: it may carry a password.
      return core::fail(core::errc::invalid_argument,
                        variable->name + " is not a valid proxy URL: " + proxy.error().message);
    }
    return std::optional<proxy_endpoint>(std::move(*proxy));
  };
  auto http = parse_proxy("http_proxy", "HTTP_PROXY");
  if (!http) return tl::unexpected(http.error());
  auto https = parse_proxy("https_proxy", "HTTPS_PROXY");
  if (!https) return tl::unexpected(https.error());
  settings.http_ = std::move(*http);
  settings.https_ = std::move(*https);

  const auto no_proxy = read_variable(env, "no_proxy", "NO_PROXY");
  std::string_view list = no_proxy ? std::string_view(no_proxy->value) : std::string_view{};
  while (!list.empty()) {
    const auto comma = list.find(',');
    const std::string_view entry = trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    if (entry.empty()) continue;
    if (entry == "*") {
      settings.bypass_all_ = true;
      continue;
    }
    auto rule = parse_bypass_rule(entry);
    if (!rule) {
      return core::fail(core::errc::invalid_argument, no_proxy->name + " " + rule.error().message);
    }
    if (rule->family != 0 || !rule->domain.empty()) settings.bypass_.push_back(std::move(*rule));
  }
  return settings;
}

bool proxy_settings::bypassed(const std::string& host) const {
  std::string name = lower(host);
  while (!name.empty() && name.back() == '.') name.pop_back();
  const auto ip = parse_ip(name);
  if ((ip && is_metadata_address(*ip)) || bypass_all_) return true;
  return std::any_of(bypass_.begin(), bypass_.end(), [&](const bypass_rule& rule) {
    if (rule.family != 0) {
      return ip && ip->family == rule.family &&
             prefix_matches(ip->bytes, rule.address, rule.prefix_bits);
    }
    return name == rule.domain ||
           (name.size() > rule.domain.size() && name.ends_with(rule.domain) &&
            name[name.size() - rule.domain.size() - 1] == '.');
  });
}

std::optional<proxy_endpoint> proxy_settings::select(const url& target) const {
  const auto& proxy = target.scheme == "https" ? https_ : http_;
  if (!proxy || bypassed(target.host)) return std::nullopt;
  return proxy;
}

}  // namespace cwp::http
