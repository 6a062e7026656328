#pragma once
// The bit masks a parsed cron expression keeps per field (bit n set = value n selected).

#include <cstdint>

namespace cwp::schedule {

constexpr std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }

}  // namespace cwp::schedule
