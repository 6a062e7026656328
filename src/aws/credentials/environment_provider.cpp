#include "aws/credentials/environment_provider.h"

#include "core/time_format.h"

namespace cwp::aws {

bool environment_provider::configured() const {
  return env_.non_empty("AWS_ACCESS_KEY_ID") || env_.non_empty("AWS_SECRET_ACCESS_KEY");
}

core::result<credentials> environment_provider::get() {
  auto key = env_.non_empty("AWS_ACCESS_KEY_ID");
  auto secret = env_.non_empty("AWS_SECRET_ACCESS_KEY");
  if (!key) {
    return core::fail(core::errc::credentials,
                      "AWS_ACCESS_KEY_ID environment variable is required but not set");
  }
  if (!secret) {
    return core::fail(core::errc::credentials,
                      "AWS_SECRET_ACCESS_KEY environment variable is required but not set");
  }
  credentials c;
  c.access_key_id = *key;
  c.secret_access_key = *secret;
  if (auto token = env_.non_empty("AWS_SESSION_TOKEN")) {
    c.session_token = *token;
  } else if (auto legacy = env_.non_empty("AWS_SECURITY_TOKEN")) {
    c.session_token = *legacy;
  }
  if (auto expiry = env_.non_empty("AWS_CREDENTIAL_EXPIRATION")) {
    c.expiration = core::parse_iso8601(*expiry);
  }
  c.provider = "environment";
  return c;
}

}  // namespace cwp::aws
