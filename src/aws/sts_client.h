#pragma once
// The STS operations we need, over the query protocol (form body in, XML out).

#include <optional>
#include <string>

#include "aws/credentials.h"
#include "aws/service_client.h"

namespace cwp::aws {

struct caller_identity {
  std::string account;  // 12 digits, leading zeros kept
  std::string arn;
  std::string user_id;
};

// Parses a GetCallerIdentityResponse document.
core::result<caller_identity> parse_caller_identity(std::string_view xml);

// AssumeRole: signed with the caller's (source) credentials.
struct assume_role_request {
  std::string role_arn;
  std::string role_session_name;  // 2..64 of [\w+=,.@-]
  std::optional<std::string> external_id;
  std::optional<int> duration_seconds;  // 900..43200; STS defaults to 3600
};

// AssumeRoleWithWebIdentity: unsigned; the web identity token is the proof.
struct web_identity_request {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;  // never logged
  std::optional<int> duration_seconds;
};

// Parses the Credentials element of an <operation>Response document (AssumeRole,
// AssumeRoleWithWebIdentity). Error messages never quote the document: it holds the secret.
core::result<credentials> parse_assumed_credentials(std::string_view xml,
                                                    std::string_view operation);

class sts_client {
 public:
  explicit sts_client(service_client client) : client_(std::move(client)) {}

  core::result<caller_identity> get_caller_identity() const;
  // Signed with the service client's credentials provider.
  core::result<credentials> assume_role(const assume_role_request& request) const;
  // Sent unsigned, so the service client needs no credentials provider.
  core::result<credentials> assume_role_with_web_identity(
      const web_identity_request& request) const;
  const service_client& transport_client() const { return client_; }

 private:
  service_client client_;
};

// What a credentials provider needs to call STS: the process's shared client context (transport,
// clocks, skew, retry policy; its `credentials` field is ignored) and the regional STS endpoint.
struct sts_target {
  client_context context;
  endpoint ep;

  // A client signing with `signer` (nullptr for unsigned calls only).
  sts_client client(credentials_provider* signer) const;
};

// "cloudwatch-publisher-<unix seconds>": the session name when none is configured (botocore
// uses "botocore-session-<unix seconds>"; any value of [\w+=,.@-]{2,64} is valid).
std::string default_role_session_name(core::sys_time now);

// RFC 3986 percent-encoding of a form value (unreserved kept, space as %20, never '+').
std::string form_encode(std::string_view value);

}  // namespace cwp::aws
