#include "cloudwatch/message_split.h"

#include <cstdint>
#include <cstring>

namespace cwp::cloudwatch {
namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

bool is_continuation(unsigned char c) { return (c & 0xC0U) == 0x80U; }

}  // namespace

// Unicode 15, table 3-7: well-formed byte sequences.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80U) return 1;
  std::size_t length = 0;
  unsigned char second_min = 0x80U;
  unsigned char second_max = 0xBFU;
  if (lead >= 0xC2U && lead <= 0xDFU) {
    length = 2;
  } else if (lead >= 0xE0U && lead <= 0xEFU) {
    length = 3;
    if (lead == 0xE0U) second_min = 0xA0U;  // no overlongs
    if (lead == 0xEDU) second_max = 0x9FU;  // no surrogates
  } else if (lead >= 0xF0U && lead <= 0xF4U) {
    length = 4;
    if (lead == 0xF0U) second_min = 0x90U;  // no overlongs
    if (lead == 0xF4U) second_max = 0x8FU;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(1) < second_min || byte(1) > second_max) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (!is_continuation(byte(k))) return 0;
  }
  return length;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t size = text.size();
  while (i < size) {
    // Eight ASCII bytes at a time: the common case of log lines.
    while (i + 8 <= size) {
      std::uint64_t word = 0;
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & 0x8080808080808080ULL) != 0) break;
      i += 8;
    }
    if (i >= size) break;
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string make_valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence_length(text, i);
    if (n == 0) {
      out += replacement_character;
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::vector<std::string> split_message(std::string_view text, std::size_t limit) {
  std::vector<std::string> pieces;
  while (!text.empty()) {
    std::size_t cut = std::min(limit, text.size());
    // Step back over continuation bytes so no character is split.
    while (cut < text.size() && cut > 0 && is_continuation(static_cast<unsigned char>(text[cut]))) {
      --cut;
    }
    if (cut == 0) {  // limit smaller than the first character: take the character whole
      cut = 1;
      while (cut < text.size() && is_continuation(static_cast<unsigned char>(text[cut]))) ++cut;
    }
    pieces.emplace_back(text.substr(0, cut));
    text.remove_prefix(cut);
  }
  return pieces;
}

}  // namespace cwp::cloudwatch
