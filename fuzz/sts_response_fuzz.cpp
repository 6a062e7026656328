// libFuzzer target: any bytes as an STS answer, read both as GetCallerIdentity (`check`) and as
// AssumeRole / AssumeRoleWithWebIdentity credentials. Parsing must not crash; an accepted
// identity has an ARN, and accepted credentials have every key and an expiration.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aws/sts_client.h"

namespace {

void check_credentials(std::string_view xml, std::string_view operation) {
  const auto c = cwp::aws::parse_assumed_credentials(xml, operation);
  if (!c) {
    if (c.error().message.empty()) std::abort();
    return;
  }
  if (c->access_key_id.empty() || c->secret_access_key.empty() || c->session_token.empty() ||
      !c->expiration) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);
  const auto id = cwp::aws::parse_caller_identity(xml);
  if (id && id->arn.empty()) std::abort();
  if (!id && id.error().message.empty()) std::abort();
  check_credentials(xml, "AssumeRole");
  check_credentials(xml, "AssumeRoleWithWebIdentity");
  return 0;
}
