#include "cloudwatch/event_json.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>

#include "cloudwatch/message_split.h"

namespace cwp::cloudwatch {
namespace {

// Per byte: 0 copied as it is; else the character after the backslash ('u': \u00xx).
constexpr std::array<char, 256> escapes = [] {
  std::array<char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = 'u';
  t['\b'] = 'b';
  t['\f'] = 'f';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['"'] = '"';
  t['\\'] = '\\';
  return t;
}();

// Whether any of the eight bytes of `word` needs a look of its own: a control character, '"'
// or '\\' (escaped), or a byte of 0x80 or above (part of a multi-byte sequence, validated).
// Log lines are mostly plain ASCII, which this passes over eight bytes at a time.
constexpr bool needs_look(std::uint64_t word) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  // A byte below n sets its high bit here (the classic "has less than" test; exact for n <= 128
  // as a yes/no for the word).
  const auto has_less = [](std::uint64_t w, std::uint64_t n) { return (w - ones * n) & ~w; };
  const auto has_byte = [&](std::uint64_t b) { return has_less(word ^ (ones * b), 1); };
  return ((word | has_less(word, 0x20) | has_byte('"') | has_byte('\\')) & highs) != 0;
}

void append_escape(std::string& out, unsigned char c, char e) {
  constexpr std::string_view hex = "0123456789abcdef";
  out.push_back('\\');
  out.push_back(e);
  if (e == 'u') {
    out.append("00");
    out.push_back(hex[c >> 4U]);
    out.push_back(hex[c & 0xFU]);
  }
}

// Appends `text` escaped, without quotes. False (and `out` partly appended): `text` is not
// well-formed UTF-8.
bool append_escaped(std::string& out, std::string_view text) {
  const std::size_t size = text.size();
  std::size_t run = 0;  // start of the bytes not yet appended
  std::size_t i = 0;
  while (i < size) {
    if (i + 8 <= size) {
      std::uint64_t word = 0;
      std::memcpy(&word, text.data() + i, sizeof word);
      if (!needs_look(word)) {
        i += 8;
        continue;
      }
    }
    // A byte at a time through these eight (a character may reach past them).
    for (const std::size_t stop = std::min(size, i + 8); i < stop;) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c >= 0x80U) {
        const std::size_t n = utf8_sequence_length(text, i);
        if (n == 0) return false;
        i += n;
        continue;
      }
      const char e = escapes[c];
      if (e != 0) {
        out.append(text.substr(run, i - run));
        append_escape(out, c, e);
        run = i + 1;
      }
      ++i;
    }
  }
  out.append(text.substr(run));
  return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  const std::size_t start = out.size();
  out.push_back('"');
  if (!append_escaped(out, text)) {
    // Rare: let the JSON library replace what is not UTF-8, as it always did.
    out.resize(start);
    out.append(nlohmann::json(std::string(text))
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  out.push_back('"');
}

std::string put_log_events_json(std::string_view group, std::string_view stream,
                                std::span<const log_event> events) {
  // {"timestamp":<up to 20>,"message":""}, plus a comma: 36 bytes and the number.
  constexpr std::size_t per_event = 60;
  std::size_t size = 64 + group.size() + stream.size();
  for (const auto& e : events) size += e.message.size() + per_event;
  std::string out;
  out.reserve(size + size / 64);  // room for a few escapes without growing
  out.append(R"({"logGroupName":)");
  append_json_string(out, group);
  out.append(R"(,"logStreamName":)");
  append_json_string(out, stream);
  out.append(R"(,"logEvents":[)");
  bool first = true;
  // Lines that come together share their timestamp: its digits are written once for all of them.
  std::array<char, 24> digits{};
  std::string_view timestamp;
  std::optional<std::int64_t> written;
  for (const auto& e : events) {
    out.append(first ? R"({"timestamp":)" : R"(,{"timestamp":)");
    first = false;
    if (written != e.timestamp_ms) {
      const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), e.timestamp_ms);
      timestamp =
          std::string_view(digits.data(), static_cast<std::size_t>(end.ptr - digits.data()));
      written = e.timestamp_ms;
    }
    out.append(timestamp);
    out.append(R"(,"message":)");
    append_json_string(out, e.message);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

}  // namespace cwp::cloudwatch
