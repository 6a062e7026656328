// libFuzzer target: the bytes of a spool segment file, as a crash, a bad disk or a hostile
// volume may leave them. Decoding must not crash or read out of bounds; the records it keeps and
// the damaged ones it skips tile a prefix of the input; and each record it keeps re-encodes to
// exactly the bytes it was read from (so nothing corrupt is ever delivered as if it were what we
// wrote).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "spool/record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto decoded = cwp::spool::decode_segment(input);
  if (decoded.valid_bytes > input.size()) std::abort();
  if (decoded.torn != (decoded.valid_bytes < input.size())) std::abort();

  // The prefix without the damaged ranges is exactly the kept records, re-encoded.
  std::string kept;
  std::size_t pos = 0;
  for (const auto& d : decoded.damaged) {
    if (d.offset < pos || d.offset + d.bytes > decoded.valid_bytes) std::abort();
    kept.append(input.substr(pos, d.offset - pos));
    pos = d.offset + d.bytes;
  }
  kept.append(input.substr(pos, decoded.valid_bytes - pos));
  std::string reencoded;
  for (const auto& r : decoded.records) {
    std::visit([&](const auto& rec) { cwp::spool::encode(rec, reencoded); }, r);
  }
  if (reencoded != kept) std::abort();
  return 0;
}
