#include "http/redaction.h"

#include <algorithm>
#include <array>

namespace cwp::http {
namespace {

// Headers whose value is a credential: SigV4's Authorization and session token, the instance
// metadata session token, a proxy's Basic credentials, a container agent's token (Authorization).
constexpr std::array<std::string_view, 4> credential_headers = {
    "Authorization", "X-Amz-Security-Token", "X-aws-ec2-metadata-token", "Proxy-Authorization"};

std::string percent_encoded(std::string_view value) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  std::string out;
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

std::string json_escaped_solidus(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '/') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// The hex signature inside a SigV4 Authorization value ("..., Signature=<64 hex>").
std::string_view signature_of(std::string_view authorization) {
  constexpr std::string_view key = "Signature=";
  const auto at = authorization.find(key);
  if (at == std::string_view::npos) return {};
  auto signature = authorization.substr(at + key.size());
  return signature.substr(0, signature.find_first_of(", "));
}

}  // namespace

secret_set secret_set::of(const request& req) {
  secret_set set;
  for (const auto& h : req.headers) {
    const bool credential =
        std::any_of(std::begin(credential_headers), std::end(credential_headers),
                    [&](std::string_view name) { return iequals(h.name, name); });
    if (!credential) continue;
    set.add(h.value);
    if (iequals(h.name, "Authorization")) set.add(signature_of(h.value));
  }
  for (const auto& secret : req.secrets) set.add(secret);
  return set;
}

void secret_set::add_form(std::string value) {
  if (std::find(needles_.begin(), needles_.end(), value) != needles_.end()) return;
  const auto longer = std::find_if(needles_.begin(), needles_.end(),
                                   [&](const std::string& n) { return n.size() < value.size(); });
  needles_.insert(longer, std::move(value));
}

void secret_set::add(std::string_view secret) {
  if (secret.size() < min_secret_chars) return;
  add_form(std::string(secret));
  add_form(percent_encoded(secret));
  add_form(json_escaped_solidus(secret));
}

std::string secret_set::scrub(std::string_view text) const {
  std::string out(text);
  for (const auto& needle : needles_) {
    for (auto at = out.find(needle); at != std::string::npos;
         at = out.find(needle, at + redacted_text.size())) {
      out.replace(at, needle.size(), redacted_text);
    }
  }
  return out;
}

void secret_set::scrub(response& r) const {
  if (needles_.empty()) return;
  r.body = scrub(r.body);
  for (auto& h : r.headers) h.value = scrub(h.value);
}

}  // namespace cwp::http
