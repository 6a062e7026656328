#include "spool/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace cwp::spool {
namespace {

// Check values from RFC 3720 (iSCSI), appendix B.4, and the CRC catalogue's "123456789".
TEST(Crc32c, MatchesPublishedCheckValues) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283U);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAU);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43U);
  EXPECT_EQ(crc32c(""), 0U);
}

TEST(Crc32c, CanBeComputedInPieces) {
  const std::string text = "heartbeat at 2026-11-30T07:30:00Z";
  EXPECT_EQ(crc32c(text.substr(10), crc32c(text.substr(0, 10))), crc32c(text));
}

}  // namespace
}  // namespace cwp::spool
