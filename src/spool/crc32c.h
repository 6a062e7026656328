#pragma once
// CRC-32C (Castagnoli), the checksum of every spool record: detects torn and corrupted records.

#include <cstdint>
#include <string_view>

namespace cwp::spool {

std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);

}  // namespace cwp::spool
