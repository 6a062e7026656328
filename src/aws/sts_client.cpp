#include "aws/sts_client.h"

#include <pugixml.hpp>
#include <string_view>

#include "core/time_format.h"

namespace cwp::aws {

std::string form_encode(std::string_view value) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4U]);
      out.push_back(hex[c & 0x0FU]);
    }
  }
  return out;
}

sts_client sts_target::client(credentials_provider* signer) const {
  client_context ctx = context;
  ctx.credentials = signer;
  return sts_client(service_client(std::move(ctx), ep));
}

std::string default_role_session_name(core::sys_time now) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  return "cloudwatch-publisher-" + std::to_string(seconds.count());
}

core::result<caller_identity> parse_caller_identity(std::string_view xml) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) {
    return core::fail(core::errc::parse, "GetCallerIdentity: the response is not XML");
  }
  const pugi::xml_node result =
      doc.child("GetCallerIdentityResponse").child("GetCallerIdentityResult");
  if (!result) {
    return core::fail(core::errc::parse,
                      "GetCallerIdentity: the response has no GetCallerIdentityResult");
  }
  caller_identity id{result.child_value("Account"), result.child_value("Arn"),
                     result.child_value("UserId")};
  if (id.arn.empty()) {
    return core::fail(core::errc::parse, "GetCallerIdentity: the response has no Arn");
  }
  return id;
}

core::result<credentials> parse_assumed_credentials(std::string_view xml,
                                                    std::string_view operation) {
  const std::string op(operation);
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) {
    return core::fail(core::errc::parse, op + ": the response is not XML");
  }
  const pugi::xml_node node =
      doc.child((op + "Response").c_str()).child((op + "Result").c_str()).child("Credentials");
  if (!node) return core::fail(core::errc::parse, op + ": the response has no Credentials");
  credentials c;
  c.access_key_id = node.child_value("AccessKeyId");
  c.secret_access_key = node.child_value("SecretAccessKey");
  c.session_token = node.child_value("SessionToken");
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.session_token.empty()) {
    return core::fail(core::errc::parse,
                      op + ": the response lacks AccessKeyId, SecretAccessKey or SessionToken");
  }
  const std::string_view expiration = node.child_value("Expiration");
  c.expiration = core::parse_iso8601(expiration);
  if (!c.expiration) {
    return core::fail(core::errc::parse, op + ": the response's Expiration '" +
                                             std::string(expiration.substr(0, 40)) +
                                             "' is not an ISO-8601 time");
  }
  return c;
}

core::result<credentials> sts_client::assume_role(const assume_role_request& request) const {
  http::request req;
  req.method = "POST";
  req.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  req.body = "Action=AssumeRole&Version=2011-06-15&RoleArn=" + form_encode(request.role_arn) +
             "&RoleSessionName=" + form_encode(request.role_session_name);
  if (request.external_id) req.body += "&ExternalId=" + form_encode(*request.external_id);
  if (request.duration_seconds) {
    req.body += "&DurationSeconds=" + std::to_string(*request.duration_seconds);
  }
  auto response = client_.call("AssumeRole", req);
  if (!response) return tl::unexpected(response.error());
  return parse_assumed_credentials(response->body, "AssumeRole");
}

core::result<credentials> sts_client::assume_role_with_web_identity(
    const web_identity_request& request) const {
  http::request req;
  req.method = "POST";
  req.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  req.body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" +
             form_encode(request.role_arn) +
             "&RoleSessionName=" + form_encode(request.role_session_name) +
             "&WebIdentityToken=" + form_encode(request.web_identity_token);
  req.secrets.push_back(request.web_identity_token);
  if (request.duration_seconds) {
    req.body += "&DurationSeconds=" + std::to_string(*request.duration_seconds);
  }
  auto response = client_.call("AssumeRoleWithWebIdentity", req, /*sign=*/false);
  if (!response) return tl::unexpected(response.error());
  return parse_assumed_credentials(response->body, "AssumeRoleWithWebIdentity");
}

core::result<caller_identity> sts_client::get_caller_identity() const {
  http::request req;
  req.method = "POST";
  req.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  req.body = "Action=GetCallerIdentity&Version=2011-06-15";
  auto response = client_.call("GetCallerIdentity", req);
  if (!response) return tl::unexpected(response.error());
  return parse_caller_identity(response->body);
}

}  // namespace cwp::aws
