#include "aws/credentials/json_credentials.h"

#include <nlohmann/json.hpp>

#include "core/time_format.h"

namespace cwp::aws {
namespace {

// The string member `key`, or nullopt when absent, not a string, or empty.
std::optional<std::string> string_member(const nlohmann::json& doc, std::string_view key) {
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  auto value = it->get<std::string>();
  if (value.empty()) return std::nullopt;
  return value;
}

}  // namespace

core::result<credentials> parse_json_credentials(std::string_view body,
                                                 const json_credentials_shape& shape,
                                                 std::string_view source) {
  const std::string where(source);
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) {
    return core::fail(core::errc::parse, where + ": the credentials are not a JSON object");
  }
  credentials c;
  auto key = string_member(doc, "AccessKeyId");
  auto secret = string_member(doc, "SecretAccessKey");
  if (!key || !secret) {
    return core::fail(core::errc::parse,
                      where + ": the credentials lack AccessKeyId or SecretAccessKey");
  }
  c.access_key_id = std::move(*key);
  c.secret_access_key = std::move(*secret);
  c.session_token = string_member(doc, shape.token_key).value_or("");
  if (auto expiration = string_member(doc, "Expiration")) {
    c.expiration = core::parse_iso8601(*expiration);
    if (!c.expiration) {
      return core::fail(core::errc::parse,
                        where + ": the credentials' Expiration is not an ISO-8601 time");
    }
  } else if (shape.expiration_required) {
    return core::fail(core::errc::parse, where + ": the credentials lack an Expiration");
  }
  return c;
}

}  // namespace cwp::aws
