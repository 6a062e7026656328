#pragma once
// The STS operations we need, over the query protocol (form body in, XML out).

#include <string>

#include "aws/service_client.h"

namespace cwp::aws {

struct caller_identity {
  std::string account;  // 12 digits, leading zeros kept
  std::string arn;
  std::string user_id;
};

// Parses a GetCallerIdentityResponse document.
core::result<caller_identity> parse_caller_identity(std::string_view xml);

class sts_client {
 public:
  explicit sts_client(service_client client) : client_(std::move(client)) {}

  core::result<caller_identity> get_caller_identity() const;
  const service_client& transport_client() const { return client_; }

 private:
  service_client client_;
};

// RFC 3986 percent-encoding of a form value (unreserved kept, space as %20, never '+').
std::string form_encode(std::string_view value);

}  // namespace cwp::aws
