#include "aws/sts_client.h"

#include <pugixml.hpp>

namespace cwp::aws {

std::string form_encode(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
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
