#include "aws/crypto.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <limits>
#include <stdexcept>

namespace cwp::aws::crypto {
namespace {

constexpr std::size_t sha256_size = 32;

[[noreturn]] void throw_openssl_failure(const char* what) {
  std::array<char, 256> reason{};
  ERR_error_string_n(ERR_get_error(), reason.data(), reason.size());
  throw std::runtime_error(std::string("OpenSSL ") + what + " failed: " + reason.data());
}

bytes hmac(const void* key, std::size_t key_size, std::string_view message) {
  // HMAC() takes the key length as an int; no SigV4 key comes anywhere near that.
  if (key_size > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw std::invalid_argument("HMAC key too long");
  }
  // An empty key is valid HMAC, but OpenSSL reads a null key pointer as "no key given".
  static constexpr unsigned char empty_key = 0;
  if (key_size == 0) key = &empty_key;
  bytes out(sha256_size);
  unsigned int out_size = 0;
  if (HMAC(EVP_sha256(), key, static_cast<int>(key_size),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(),
           &out_size) == nullptr ||
      out_size != sha256_size) {
    throw_openssl_failure("HMAC-SHA256");
  }
  return out;
}

}  // namespace

bytes sha256(std::string_view data) {
  bytes out(sha256_size);
  unsigned int out_size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &out_size, EVP_sha256(), nullptr) != 1 ||
      out_size != sha256_size) {
    throw_openssl_failure("SHA-256");
  }
  return out;
}

std::string sha256_hex(std::string_view data) { return hex_encode(sha256(data)); }

bytes hmac_sha256(std::span<const std::uint8_t> key, std::string_view message) {
  return hmac(key.data(), key.size(), message);
}

bytes hmac_sha256(std::string_view key, std::string_view message) {
  return hmac(key.data(), key.size(), message);
}

std::string hex_encode(std::span<const std::uint8_t> data) {
  static constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const std::uint8_t b : data) {
    out += digits[b >> 4U];
    out += digits[b & 0x0FU];
  }
  return out;
}

}  // namespace cwp::aws::crypto
