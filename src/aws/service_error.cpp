#include "aws/service_error.h"

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

namespace cwp::aws {
namespace {

struct fields {
  std::string code;
  std::string message;
  std::string request_id;
};

std::string json_string(const nlohmann::json& j, std::initializer_list<const char*> keys) {
  for (const char* key : keys) {
    const auto it = j.find(key);
    if (it == j.end()) continue;
    if (const auto* text = it->get_ptr<const std::string*>()) return *text;
  }
  return {};
}

fields from_json(std::string_view body) {
  const auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return {};
  return fields{
      json_string(j, {"__type", "code", "Code"}), json_string(j, {"message", "Message"}), {}};
}

fields from_xml(std::string_view body) {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return {};
  // <ErrorResponse><Error>..</Error><RequestId/></ErrorResponse> (query protocol),
  // <Response><Errors><Error>..</Error></Errors><RequestID/></Response> (EC2 style, also what
  // moto's auth layer sends for every service) or a bare <Error> (S3 style).
  const pugi::xml_node err = doc.select_node("//Error").node();
  std::string request_id = doc.select_node("//RequestId").node().child_value();
  if (request_id.empty()) request_id = doc.select_node("//RequestID").node().child_value();
  return fields{err.child_value("Code"), err.child_value("Message"), request_id};
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

}  // namespace

std::string normalize_error_code(std::string_view raw) {
  std::string_view code = raw;
  if (const auto colon = code.find(':'); colon != std::string_view::npos) {
    code = code.substr(0, colon);
  }
  if (const auto hash = code.rfind('#'); hash != std::string_view::npos) {
    code = code.substr(hash + 1);
  }
  return trim(code);
}

core::error parse_error_response(const http::response& response, std::string_view operation) {
  const std::string body = trim(response.body);
  fields f;
  if (body.starts_with('{')) {
    f = from_json(body);
  } else if (body.starts_with('<')) {
    f = from_xml(body);
  }
  if (auto header = response.find_header("x-amzn-ErrorType")) f.code = *header;
  if (auto id = response.find_header("x-amzn-RequestId")) {
    f.request_id = *id;
  } else if (auto alt = response.find_header("x-amz-request-id")) {
    f.request_id = *alt;
  }
  f.code = normalize_error_code(f.code);

  core::error e;
  e.code = f.code.empty() ? core::errc::http : core::errc::aws;
  e.remote_code = f.code;
  e.http_status = response.status;
  e.request_id = f.request_id;
  e.message = std::string(operation) + " failed: ";
  if (f.code.empty()) {
    e.message += "HTTP " + std::to_string(response.status) + " without an AWS error code";
  } else {
    e.message += f.code;
    if (!f.message.empty()) e.message += ": " + f.message;
  }
  e.message += " (HTTP " + std::to_string(response.status);
  if (!f.request_id.empty()) e.message += ", request id " + f.request_id;
  e.message += ")";
  return e;
}

}  // namespace cwp::aws
