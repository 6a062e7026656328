#include "aws/credentials/imds_client.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace cwp::aws {
namespace {

constexpr std::string_view token_path = "/latest/api/token";
constexpr std::string_view ttl_header = "X-aws-ec2-metadata-token-ttl-seconds";
constexpr std::string_view token_header = "X-aws-ec2-metadata-token";

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(std::string_view s) {
  constexpr std::string_view blanks = " \t\r\n";
  const auto first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(blanks) - first + 1));
}

core::error invalid(std::string_view variable, const std::string& value, std::string_view want) {
  return core::error{
      core::errc::invalid_argument,
      std::string(variable) + "='" + value + "' is not valid: expected " + std::string(want)};
}

std::string describe(const core::error& e) {
  return e.code == core::errc::timeout ? "no answer in time" : e.message;
}

}  // namespace

core::result<imds_settings> imds_settings::from_environment(const core::environment& env) {
  imds_settings s;
  s.disabled = lower(env.non_empty("AWS_EC2_METADATA_DISABLED").value_or("")) == "true";

  std::string base = "http://169.254.169.254";
  if (auto mode = env.non_empty("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE")) {
    const std::string m = lower(*mode);
    if (m == "ipv6") {
      base = "http://[fd00:ec2::254]";
    } else if (m != "ipv4") {
      return tl::unexpected(
          invalid("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", *mode, "IPv4 or IPv6"));
    }
  }
  std::string variable = "default";
  if (auto endpoint = env.non_empty("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
    base = *endpoint;
    variable = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
  }
  auto url = http::url::parse(base);
  if (!url) {
    return core::fail(core::errc::invalid_argument, variable + ": " + url.error().message);
  }
  s.endpoint = *url;
  s.endpoint.path = "/";
  s.endpoint.query.clear();

  if (auto timeout = env.non_empty("AWS_METADATA_SERVICE_TIMEOUT")) {
    double seconds = 0;
    const auto* end = timeout->data() + timeout->size();
    const auto parsed = std::from_chars(timeout->data(), end, seconds);
    if (parsed.ec != std::errc{} || parsed.ptr != end || !(seconds > 0) || seconds > 3600) {
      return tl::unexpected(
          invalid("AWS_METADATA_SERVICE_TIMEOUT", *timeout, "seconds, more than 0"));
    }
    s.timeout = std::chrono::milliseconds{std::llround(seconds * 1000)};
  }
  if (auto attempts = env.non_empty("AWS_METADATA_SERVICE_NUM_ATTEMPTS")) {
    int n = 0;
    const auto* end = attempts->data() + attempts->size();
    const auto parsed = std::from_chars(attempts->data(), end, n);
    if (parsed.ec != std::errc{} || parsed.ptr != end || n < 1 || n > 10) {
      return tl::unexpected(
          invalid("AWS_METADATA_SERVICE_NUM_ATTEMPTS", *attempts, "a whole number 1..10"));
    }
    s.attempts = n;
  }
  return s;
}

core::result<http::response> imds_client::send(const http::request& req) const {
  core::result<http::response> response = core::fail(core::errc::network, "not sent");
  for (int attempt = 1; attempt <= settings_.attempts; ++attempt) {
    response = transport_->send(req, http::send_options{settings_.timeout, settings_.timeout});
    const bool transient = response ? response->status >= 500
                                    : (response.error().code == core::errc::network ||
                                       response.error().code == core::errc::timeout);
    if (!transient) break;
  }
  return response;
}

core::result<std::string> imds_client::token() {
  const auto now = clock_->monotonic();
  if (token_ && now < token_renew_at_) return *token_;
  token_.reset();

  http::request req;
  req.method = "PUT";
  req.target = settings_.endpoint;
  req.target.path = token_path;
  req.add_header(std::string(ttl_header), std::to_string(token_ttl.count()));
  const std::string where = "EC2 instance metadata at " + settings_.endpoint.origin();
  auto response = send(req);
  if (!response) {
    core::error e = response.error();
    e.message = where + " is not reachable (" + describe(e) +
                "): not on EC2, or in a container while the instance's metadata hop limit is 1";
    return tl::unexpected(std::move(e));
  }
  const int status = response->status;
  if (status == 403 || status == 404 || status == 405) {
    // The answers of an IMDSv1-only service (or one with IMDS turned off). botocore would
    // fall back to unauthenticated IMDSv1 GETs; this client never does.
    core::error e{core::errc::credentials,
                  where + " refused the IMDSv2 token request (HTTP " + std::to_string(status) +
                      "); IMDSv1 without a token is not supported: require IMDSv2 on the "
                      "instance (HttpTokens=required) or use another credentials source"};
    e.http_status = status;
    return tl::unexpected(std::move(e));
  }
  if (!response->ok()) {
    core::error e{core::errc::http,
                  where + " answered the token request with HTTP " + std::to_string(status)};
    e.http_status = status;
    return tl::unexpected(std::move(e));
  }
  std::string value = trim(response->body);
  if (value.empty()) {
    return core::fail(core::errc::parse, where + " answered the token request with no token");
  }
  token_ = value;
  token_renew_at_ = now + token_ttl - token_renew_margin;
  return value;
}

core::result<std::string> imds_client::get(std::string_view path) {
  const std::lock_guard lock(mutex_);
  const std::string where = "EC2 instance metadata at " + settings_.endpoint.origin();
  for (int round = 1;; ++round) {
    auto tok = token();
    if (!tok) return tl::unexpected(tok.error());
    http::request req;
    req.method = "GET";
    req.target = settings_.endpoint;
    req.target.path = std::string(path);
    req.add_header(std::string(token_header), *tok);
    auto response = send(req);
    if (!response) {
      core::error e = response.error();
      e.message = where + ": GET " + std::string(path) + ": " + describe(e);
      return tl::unexpected(std::move(e));
    }
    if (response->status == 401 && round == 1) {
      token_.reset();  // expired or revoked: one more try with a new token
      continue;
    }
    if (!response->ok()) {
      core::error e{core::errc::http, where + ": GET " + std::string(path) + " answered HTTP " +
                                          std::to_string(response->status)};
      e.http_status = response->status;
      return tl::unexpected(std::move(e));
    }
    return std::move(response->body);
  }
}

core::result<std::string> imds_region(imds_client& client) {
  auto body = client.get("/latest/meta-data/placement/region");
  if (!body) return body;
  std::string region = trim(*body);
  if (region.empty()) return core::fail(core::errc::parse, "instance metadata has no region");
  return region;
}

core::result<std::string> imds_instance_id(imds_client& client) {
  auto body = client.get("/latest/meta-data/instance-id");
  if (!body) return body;
  std::string id = trim(*body);
  if (id.empty()) return core::fail(core::errc::parse, "instance metadata has no instance id");
  return id;
}

namespace {

template <class Query>
core::result<std::string> one_shot(http::transport& transport, const core::clock& clock,
                                   const core::environment& env, Query query) {
  auto settings = imds_settings::from_environment(env);
  if (!settings) return tl::unexpected(settings.error());
  if (settings->disabled) {
    return core::fail(core::errc::invalid_argument,
                      "EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)");
  }
  imds_client client(transport, clock, *settings);
  return query(client);
}

}  // namespace

core::result<std::string> imds_region(http::transport& transport, const core::clock& clock,
                                      const core::environment& env) {
  return one_shot(transport, clock, env, [](imds_client& c) { return imds_region(c); });
}

core::result<std::string> imds_instance_id(http::transport& transport, const core::clock& clock,
                                           const core::environment& env) {
  return one_shot(transport, clock, env, [](imds_client& c) { return imds_instance_id(c); });
}

}  // namespace cwp::aws
