// libFuzzer target: the proxy environment (http_proxy, HTTPS_PROXY, all_proxy, no_proxy, ...).
// The input is lines: "name=value" sets a variable, any other line is a target URL to route.
// Parsing must not crash; an accepted proxy must name a host and port that parse back from its
// authority(); an error must not repeat a proxy value that holds credentials; and the
// instance metadata address is never sent through a proxy.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "http/proxy.h"

namespace {

constexpr std::array<std::string_view, 8> variables{"http_proxy",  "HTTP_PROXY", "https_proxy",
                                                    "HTTPS_PROXY", "all_proxy",  "ALL_PROXY",
                                                    "no_proxy",    "NO_PROXY"};

void check_endpoint(const cwp::http::proxy_endpoint& proxy) {
  if (proxy.host.empty() || proxy.port == 0) std::abort();
  const auto again = cwp::http::proxy_endpoint::parse(proxy.authority());
  if (!again || again->host != proxy.host || again->port != proxy.port ||
      again->has_credentials()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::map<std::string, std::string, std::less<>> env;
  std::vector<std::string_view> targets;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    const std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    const auto equals = line.find('=');
    const std::string_view name = line.substr(0, equals);
    if (equals != std::string_view::npos &&
        std::find(variables.begin(), variables.end(), name) != variables.end()) {
      env[std::string(name)] = std::string(line.substr(equals + 1));
    } else {
      targets.push_back(line);
    }
  }

  for (const auto& [name, value] : env) {
    if (name.ends_with("_proxy") || name.ends_with("_PROXY")) {
      if (const auto proxy = cwp::http::proxy_endpoint::parse(value)) check_endpoint(*proxy);
    }
  }

  const auto settings = cwp::http::proxy_settings::from_environment(
      [&](std::string_view name) -> std::optional<std::string> {
        const auto it = env.find(name);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
  if (!settings) {
    const std::string& message = settings.error().message;
    if (message.empty()) std::abort();
    // no_proxy errors quote the bad entry, which is fine unless the entry holds a proxy value.
    std::string bypass_values;
    for (const char* name : {"no_proxy", "NO_PROXY"}) {
      if (const auto it = env.find(name); it != env.end()) bypass_values += it->second + '\n';
    }
    for (const auto& [name, value] : env) {
      const bool proxy_variable = name != "no_proxy" && name != "NO_PROXY";
      // A value with '@' carries credentials, and no fixed part of a message has an '@'.
      if (proxy_variable && value.find('@') != std::string::npos &&
          message.find(value) != std::string::npos &&
          bypass_values.find(value) == std::string::npos) {
        std::abort();
      }
    }
    return 0;
  }

  targets.push_back("http://169.254.169.254/latest/api/token");
  targets.push_back("https://logs.us-east-1.amazonaws.com/");
  for (const std::string_view target : targets) {
    const auto url = cwp::http::url::parse(target);
    if (!url) continue;
    const auto proxy = settings->select(*url);
    if (proxy) check_endpoint(*proxy);
    if (proxy && url->host == "169.254.169.254") std::abort();
  }
  return 0;
}
