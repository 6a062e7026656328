#include "cloudwatch/event_json.h"

#include <array>
#include <charconv>
#include <nlohmann/json.hpp>

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

void append_escaped(std::string& out, std::string_view text) {
  constexpr std::string_view hex = "0123456789abcdef";
  std::size_t run = 0;  // start of the bytes not yet appended
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char e = escapes[static_cast<unsigned char>(text[i])];
    if (e == 0) continue;
    out.append(text.substr(run, i - run));
    out.push_back('\\');
    out.push_back(e);
    if (e == 'u') {
      const auto c = static_cast<unsigned char>(text[i]);
      out.append("00");
      out.push_back(hex[c >> 4U]);
      out.push_back(hex[c & 0xFU]);
    }
    run = i + 1;
  }
  out.append(text.substr(run));
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  if (!is_valid_utf8(text)) {
    // Rare: let the JSON library replace what is not UTF-8, as it always did.
    out.append(nlohmann::json(std::string(text))
                   .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    return;
  }
  out.push_back('"');
  append_escaped(out, text);
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
  for (const auto& e : events) {
    out.append(first ? R"({"timestamp":)" : R"(,{"timestamp":)");
    first = false;
    std::array<char, 24> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), e.timestamp_ms);
    out.append(digits.data(), end.ptr);
    out.append(R"(,"message":)");
    append_json_string(out, e.message);
    out.push_back('}');
  }
  out.append("]}");
  return out;
}

}  // namespace cwp::cloudwatch
