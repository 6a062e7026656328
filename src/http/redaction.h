#pragma once
// Cutting a request's live secrets out of what the server answered. AWS error messages may
// quote the request back (an InvalidSignatureException carries the canonical request it
// expected, x-amz-security-token included) and other servers echo headers, so every answer is
// scrubbed of the secrets of the request it answers before any code reads it: transport::send
// does it, for every service and every credential endpoint (see transport.h).

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace cwp::http {

// What a secret is replaced with. No markup characters: it lands inside JSON or XML bodies,
// which must still parse afterwards.
inline constexpr std::string_view redacted_text = "[redacted]";

// A set of secret values and the forms a server might echo them in. Cheap to build per request.
class secret_set {
 public:
  // Shorter values are not scrubbed: they would match unrelated text and corrupt the answer,
  // and real keys, tokens and signatures are far longer.
  static constexpr std::size_t min_secret_chars = 8;

  // The secrets `req` carries: the values of its credential headers (Authorization, whole and
  // its Signature, X-Amz-Security-Token, X-aws-ec2-metadata-token, Proxy-Authorization) and
  // the values listed in request::secrets.
  static secret_set of(const request& req);

  // Adds `secret` as sent, percent-encoded (a form body or a canonical query string) and with
  // JSON's escaped solidus.
  void add(std::string_view secret);
  bool empty() const { return needles_.empty(); }

  // `text` with every occurrence of a secret replaced by redacted_text.
  std::string scrub(std::string_view text) const;
  // Scrubs the body and every header value of `r` in place.
  void scrub(response& r) const;

 private:
  void add_form(std::string value);

  std::vector<std::string> needles_;  // longest first, so a value containing another goes whole
};

}  // namespace cwp::http
