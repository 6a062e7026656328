#pragma once
// The hashing primitives SigV4 needs, behind a small interface: this is the only place in
// src/aws that includes OpenSSL, so the signer stays plain string code and swapping the crypto
// library touches one file.
//
// The functions return values rather than result<T>: SHA-256 and HMAC over memory fail only
// when OpenSSL itself is broken (out of memory, no provider for SHA-256). That is not an
// expected failure, so it throws std::runtime_error and surfaces in main's catch-all. No key
// material ever goes into that message.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cwp::aws::crypto {

using bytes = std::vector<std::uint8_t>;

// SHA-256 digest (32 bytes) of `data`.
bytes sha256(std::string_view data);
// SHA-256 of `data` as 64 lowercase hex characters (SigV4 payload and canonical-request hashes).
std::string sha256_hex(std::string_view data);

// HMAC-SHA256 (32 bytes) of `message` under `key`. The string_view overload exists for the first
// SigV4 derivation step, whose key is text ("AWS4" + secret).
bytes hmac_sha256(std::span<const std::uint8_t> key, std::string_view message);
bytes hmac_sha256(std::string_view key, std::string_view message);

// Lowercase hex, two characters per byte.
std::string hex_encode(std::span<const std::uint8_t> data);

}  // namespace cwp::aws::crypto
