#include "cloudwatch/batch.h"

namespace cwp::cloudwatch {

std::size_t event_size(const log_event& e) { return e.message.size() + per_event_overhead_bytes; }

std::vector<std::size_t> plan_batches(std::span<const log_event> events) {
  std::vector<std::size_t> sizes;
  for (auto it = events.begin(); it != events.end();) {
    const std::size_t n = next_batch_size(it, events.end());
    sizes.push_back(n);
    it += static_cast<std::ptrdiff_t>(n);
  }
  return sizes;
}

bool truncate_message(std::string& message, std::size_t limit) {
  if (message.size() <= limit) return false;
  std::size_t cut = limit;
  // Step back over UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0U) == 0x80U) --cut;
  message.resize(cut);
  return true;
}

}  // namespace cwp::cloudwatch
