// libFuzzer target: a credential document from the ECS/EKS container endpoint, the EC2
// instance metadata service or a credential_process. Input: the first byte picks the shape
// (container, IMDS, process), the rest is the body. Parsing must not crash; a success has both
// keys; and an error message never quotes the body, which may hold a secret.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "aws/credentials/json_credentials.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr const cwp::aws::json_credentials_shape* shapes[] = {
      &cwp::aws::container_json, &cwp::aws::imds_json, &cwp::aws::process_json};
  const auto& shape = *shapes[data[0] % 3];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto r = cwp::aws::parse_json_credentials(body, shape, "fuzz");
  if (r) {
    if (r->access_key_id.empty() || r->secret_access_key.empty()) std::abort();
    return 0;
  }
  if (r.error().message.empty()) std::abort();
  // A secret of 16+ characters must never be echoed back in the error.
  const auto secret_at = body.find("\"SecretAccessKey\":\"");
  if (secret_at != std::string_view::npos) {
    const auto start = secret_at + 19;
    const auto end = body.find('"', start);
    if (end != std::string_view::npos && end - start >= 16 &&
        r.error().message.find(body.substr(start, end - start)) != std::string::npos) {
      std::abort();
    }
  }
  return 0;
}
