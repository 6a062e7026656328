// libFuzzer target: the bytes of a spool segment file, as a crash, a bad disk or a hostile
// volume may leave them. Decoding must not crash or read out of bounds; it keeps a prefix of
// whole records; and each record it keeps re-encodes to exactly the bytes it was read from (so
// nothing corrupt is ever delivered as if it were what we wrote).

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

  std::string reencoded;
  for (const auto& r : decoded.records) {
    std::visit([&](const auto& rec) { cwp::spool::encode(rec, reencoded); }, r);
  }
  if (reencoded != input.substr(0, decoded.valid_bytes)) std::abort();
  return 0;
}
