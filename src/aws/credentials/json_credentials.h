#pragma once
// The JSON credential documents of the container endpoint, instance metadata and
// credential_process. All three carry AccessKeyId, SecretAccessKey, a session token and an
// ISO-8601 Expiration; they differ in the token's name and in what is mandatory.

#include <string_view>

#include "aws/credentials.h"

namespace cwp::aws {

struct json_credentials_shape {
  std::string_view token_key;  // "Token" (container, IMDS) or "SessionToken" (process)
  bool expiration_required{true};
};

inline constexpr json_credentials_shape container_json{"Token", false};
inline constexpr json_credentials_shape imds_json{"Token", true};
inline constexpr json_credentials_shape process_json{"SessionToken", false};

// Parses `body`. Fails with errc::parse naming `source` and the missing or malformed field;
// the message never quotes the body, which holds the secret.
core::result<credentials> parse_json_credentials(std::string_view body,
                                                 const json_credentials_shape& shape,
                                                 std::string_view source);

}  // namespace cwp::aws
