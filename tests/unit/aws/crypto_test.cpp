#include "aws/crypto.h"

#include <gtest/gtest.h>

#include <string>

namespace cwp::aws::crypto {
namespace {

bytes as_bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Sha256, HashesEmptyInputToTheWellKnownDigest) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, HashesAbcAsFips180Example) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, ReturnsThirtyTwoRawBytesMatchingTheHex) {
  const bytes digest = sha256("abc");
  ASSERT_EQ(digest.size(), 32U);
  EXPECT_EQ(hex_encode(digest), sha256_hex("abc"));
}

TEST(HmacSha256, MatchesRfc4231TestCase1) {
  const bytes key(20, 0x0b);
  EXPECT_EQ(hex_encode(hmac_sha256(key, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, MatchesRfc4231TestCase2WithATextKey) {
  EXPECT_EQ(hex_encode(hmac_sha256(std::string_view("Jefe"), "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, TextAndByteKeysGiveTheSameMac) {
  EXPECT_EQ(hmac_sha256(std::string_view("key"), "message"),
            hmac_sha256(as_bytes("key"), "message"));
}

TEST(HmacSha256, AcceptsAnEmptyKey) {
  EXPECT_EQ(hex_encode(hmac_sha256(bytes{}, "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HexEncode, WritesTwoLowercaseDigitsPerByte) {
  const bytes data = {0x00, 0x0f, 0xa5, 0xff};
  EXPECT_EQ(hex_encode(data), "000fa5ff");
  EXPECT_EQ(hex_encode(bytes{}), "");
}

}  // namespace
}  // namespace cwp::aws::crypto
