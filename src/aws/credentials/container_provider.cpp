#include "aws/credentials/container_provider.h"

#include <arpa/inet.h>

#include <array>
#include <nlohmann/json.hpp>

#include "aws/credentials/json_credentials.h"
#include "core/text_file.h"

namespace cwp::aws {
namespace {

constexpr std::string_view relative_uri_variable = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
constexpr std::string_view full_uri_variable = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
constexpr std::string_view token_file_variable = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
constexpr std::string_view token_variable = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
// The ECS agent's address for relative URIs.
constexpr std::string_view ecs_origin = "http://169.254.170.2";

core::result<http::url> resolve_url(const core::environment& env) {
  std::string variable;
  std::string text;
  if (auto relative = env.non_empty(relative_uri_variable)) {
    variable = relative_uri_variable;
    text = std::string(ecs_origin) + (relative->starts_with("/") ? "" : "/") + *relative;
  } else if (auto full = env.non_empty(full_uri_variable)) {
    variable = full_uri_variable;
    text = *full;
  } else {
    return core::fail(core::errc::credentials, "AWS_CONTAINER_CREDENTIALS_* not set");
  }
  auto url = http::url::parse(text);
  if (!url) {
    return core::fail(core::errc::credentials,
                      variable + " is not a usable URL: " + url.error().message);
  }
  if (url->scheme == "http" && !is_allowed_container_http_host(url->host)) {
    return core::fail(core::errc::credentials,
                      variable + ": plain HTTP to " + url->origin() +
                          " is not allowed; use https, or a loopback address, 169.254.170.2, "
                          "169.254.170.23 or fd00:ec2::23");
  }
  return url;
}

std::string_view trim_trailing_blanks(std::string_view s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// The Authorization value: the token file (read on every fetch: Pod Identity rotates it) wins
// over the variable. A trailing newline in the file is dropped; any other line break is refused
// because it would split the header.
core::result<std::optional<std::string>> authorization(const core::environment& env) {
  std::string variable;
  std::string token;
  if (auto file = env.non_empty(token_file_variable)) {
    variable = token_file_variable;
    auto text = core::read_text_file(*file, container_provider::max_token_file_bytes);
    if (!text) {
      return core::fail(core::errc::credentials, variable + ": " + text.error().message);
    }
    if (!*text) {
      return core::fail(core::errc::credentials, variable + ": " + *file + " does not exist");
    }
    token = std::string(trim_trailing_blanks(**text));
  } else if (auto value = env.non_empty(token_variable)) {
    variable = token_variable;
    token = *value;
  } else {
    return std::optional<std::string>{};
  }
  if (token.find_first_of("\r\n") != std::string::npos) {
    return core::fail(core::errc::credentials,
                      variable + " contains a line break; refusing to send it as a header");
  }
  return std::optional<std::string>{std::move(token)};
}

bool worth_retrying(const core::result<http::response>& r) {
  if (!r) return r.error().code == core::errc::network || r.error().code == core::errc::timeout;
  return r->status >= 500 || r->status == 429;
}

// "HTTP 400" plus the endpoint's {"code","message"} when it sent one.
std::string describe_status(const http::response& r) {
  std::string text = "HTTP " + std::to_string(r.status);
  const auto doc = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    const auto code = doc.find("code");
    const auto message = doc.find("message");
    if (code != doc.end() && code->is_string()) text += ": " + code->get<std::string>();
    if (message != doc.end() && message->is_string()) {
      text += ": " + message->get<std::string>().substr(0, 200);
    }
  }
  return text;
}

}  // namespace

bool is_allowed_container_http_host(const std::string& host) {
  if (host == "localhost" || host == "LOCALHOST") return true;
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET, host.c_str(), bytes.data()) == 1) {
    if (bytes[0] == 127) return true;
    return host == "169.254.170.2" || host == "169.254.170.23";
  }
  if (::inet_pton(AF_INET6, host.c_str(), bytes.data()) == 1) {
    std::array<unsigned char, 16> allowed{};
    for (const char* candidate : {"::1", "fd00:ec2::23"}) {
      if (::inet_pton(AF_INET6, candidate, allowed.data()) == 1 && allowed == bytes) return true;
    }
  }
  return false;
}

bool container_provider::configured() const {
  return env_.non_empty(relative_uri_variable) || env_.non_empty(full_uri_variable);
}

core::result<credentials> container_provider::get() {
  auto url = resolve_url(env_);
  if (!url) return tl::unexpected(url.error());
  const std::string where = "container credentials endpoint " + url->origin();

  core::result<http::response> response = core::fail(core::errc::network, "not sent");
  int attempt = 1;
  for (;; ++attempt) {
    auto token = authorization(env_);
    if (!token) return tl::unexpected(token.error());
    http::request req;
    req.method = "GET";
    req.target = *url;
    req.add_header("Accept", "application/json");
    if (*token) req.add_header("Authorization", **token);
    // As botocore: never through HTTP(S)_PROXY. The agent is local (loopback, the ECS or EKS
    // link-local address), and a proxy would receive the Authorization token.
    req.bypass_proxy = true;
    response = transport_->send(req, http::send_options{request_timeout, request_timeout});
    if (!worth_retrying(response) || attempt == max_attempts) break;
    clock_->sleep_for(retry_delay);
  }
  if (!response) {
    core::error e = response.error();
    e.message = where + ": " + e.message;
    if (attempt > 1) e.message += " (after " + std::to_string(attempt) + " attempts)";
    return tl::unexpected(std::move(e));
  }
  if (!response->ok()) {
    core::error e{core::errc::http, where + " answered " + describe_status(*response)};
    e.http_status = response->status;
    return tl::unexpected(std::move(e));
  }
  auto c = parse_json_credentials(response->body, container_json, where);
  if (!c) return tl::unexpected(c.error());
  c->provider = "container";
  return c;
}

}  // namespace cwp::aws
