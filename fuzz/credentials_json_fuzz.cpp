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
  // The error must not echo the secret. It leaks it when the secret's text is in the message,
  // but not in the message for the same body with the secret replaced (text that is there
  // anyway, like the source name, is no leak).
  const auto secret_at = body.find("\"SecretAccessKey\":\"");
  if (secret_at != std::string_view::npos) {
    const auto start = secret_at + 19;
    const auto end = body.find('"', start);
    if (end != std::string_view::npos && end - start >= 8) {
      const std::string_view secret = body.substr(start, end - start);
      std::string other(body);
      other.replace(start, secret.size(), std::string(secret.size(), secret[0] == 'Q' ? 'R' : 'Q'));
      const auto r2 = cwp::aws::parse_json_credentials(other, shape, "fuzz");
      const std::string other_message = r2 ? std::string() : r2.error().message;
      if (r.error().message.find(secret) != std::string::npos &&
          other_message.find(secret) == std::string::npos) {
        std::abort();
      }
    }
  }
  return 0;
}
