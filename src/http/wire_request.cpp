#include "http/wire_request.h"

#include <string>

namespace cwp::http {

namespace wire = boost::beast::http;

core::result<wire_request> to_wire(const request& req, const route& r) {
  if (!is_token(req.method)) {
    return core::fail(core::errc::invalid_argument, "invalid HTTP method for " + r.describe());
  }
  wire_request out;
  out.version(11);
  out.method_string(req.method);
  std::string target = req.target.path;
  if (!req.target.query.empty()) target += "?" + req.target.query;
  // A forward proxy takes the absolute URL; a CONNECT tunnel carries the origin form.
  if (r.proxy && !r.tls()) target = "http://" + req.target.host_header() + target;
  out.target(target);

  if (!req.find_header("Host")) out.insert(wire::field::host, req.target.host_header());
  for (const auto& h : req.headers) {
    if (!is_token(h.name) || !is_field_value(h.value)) {
      return core::fail(core::errc::invalid_argument,
                        "header '" + (is_token(h.name) ? h.name : std::string("?")) +
                            "' is not valid HTTP for " + r.describe());
    }
    // The signature covers the exact body bytes, so the body is never chunked and its length
    // is the transport's to state.
    if (iequals(h.name, "Transfer-Encoding") ||
        (iequals(h.name, "Content-Length") && h.value != std::to_string(req.body.size()))) {
      return core::fail(core::errc::invalid_argument,
                        "header '" + h.name + "' conflicts with the body sent to " + r.describe());
    }
    out.insert(h.name, h.value);
  }
  if (!req.find_header("User-Agent")) {
    out.insert(wire::field::user_agent, "cloudwatch-publisher/" CWP_VERSION);
  }
  // RFC 9110 8.6: no Content-Length on a body-less request whose method expects no body.
  const bool body_expected = out.method() == wire::verb::post || out.method() == wire::verb::put ||
                             out.method() == wire::verb::patch;
  if (!req.find_header("Content-Length") && (body_expected || !req.body.empty())) {
    out.content_length(req.body.size());
  }
  if (r.proxy && !r.tls() && r.proxy->has_credentials()) {
    out.insert(wire::field::proxy_authorization, basic_credentials(*r.proxy));
  }
  out.body() = {req.body.data(), req.body.size()};
  return out;
}

}  // namespace cwp::http
