#include "http/route.h"

#include <algorithm>
#include <boost/beast/core/detail/base64.hpp>
#include <cctype>

#include "http/redaction.h"

namespace cwp::http {
namespace {

std::string base64_user_password(const proxy_endpoint& proxy) {
  namespace base64 = boost::beast::detail::base64;
  const std::string plain = proxy.username + ":" + proxy.password;
  std::string encoded(base64::encoded_size(plain.size()), '\0');
  encoded.resize(base64::encode(encoded.data(), plain.data(), plain.size()));
  return encoded;
}

}  // namespace

std::string route::authority() const {
  const std::string h =
      target.host.find(':') != std::string::npos ? "[" + target.host + "]" : target.host;
  return h + ":" + std::to_string(target.port);
}

std::string route::key() const {
  return target.scheme + "://" + authority() + (proxy ? " via " + proxy->authority() : "");
}

std::string route::describe() const {
  return target.origin() + (proxy ? " via proxy " + proxy->authority() : "");
}

std::string basic_credentials(const proxy_endpoint& proxy) {
  return "Basic " + base64_user_password(proxy);
}

void scrub_proxy_credentials(const route& r, response& answer) {
  if (!r.proxy || !r.proxy->has_credentials()) return;
  secret_set secrets;
  secrets.add(base64_user_password(*r.proxy));
  secrets.add(r.proxy->password);
  secrets.scrub(answer);
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

bool is_field_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

}  // namespace cwp::http
