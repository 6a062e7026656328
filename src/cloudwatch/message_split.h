#pragma once
// Turns arbitrary input text (a line read by `send`) into event messages the service accepts:
// valid UTF-8, never empty, and no larger than one event may be. Oversize text is split, never
// truncated or rejected, so no byte of the input is lost.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "cloudwatch/batch.h"

namespace cwp::cloudwatch {

// `text` with every byte that is not part of a well-formed UTF-8 sequence (stray continuation
// bytes, truncated sequences, overlongs, surrogates, code points above U+10FFFF) replaced by
// U+FFFD. Well-formed input is returned unchanged. The request body would replace them anyway;
// doing it first makes the size we count the size we send.
std::string make_valid_utf8(std::string_view text);
// Whether `text` is well-formed UTF-8 (make_valid_utf8 would return it unchanged). Cheap on
// ASCII, so callers check first and keep their string instead of copying it.
bool is_valid_utf8(std::string_view text);
// The length of the well-formed UTF-8 sequence that starts at text[i] (1 for ASCII), or 0 when
// none does there. `i` < text.size().
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

// Splits valid UTF-8 `text` into consecutive pieces of at most `limit` bytes, each cut at a
// character boundary (so each piece is valid UTF-8 on its own). Concatenated, the pieces are
// `text`. Empty text gives no pieces; `limit` must be at least 4 (one character). `send` passes
// the message size of CWP_MAX_EVENT_BYTES (the largest event less its 26 bytes of overhead).
std::vector<std::string> split_message(std::string_view text,
                                       std::size_t limit = max_message_bytes);

}  // namespace cwp::cloudwatch
