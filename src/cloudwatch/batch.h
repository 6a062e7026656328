#pragma once
// PutLogEvents batch rules, so a batch we send is one the service accepts whole.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "cloudwatch/logs_client.h"

namespace cwp::cloudwatch {

// The PutLogEvents limits, as the API reference states them:
// https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html
// A batch may hold at most 1,048,576 bytes, counted as the UTF-8 bytes of each message plus 26
// bytes per event.
inline constexpr std::size_t max_batch_bytes = 1'048'576;
inline constexpr std::size_t per_event_overhead_bytes = 26;
// At most 10,000 events per call.
inline constexpr std::size_t max_batch_events = 10'000;
// The largest event, counted the same way (message + 26 bytes): 1 MB since 2025 (the same
// reference, "Each log event can be no larger than 1 MB"); it was 256 KB before, which
// partitions not yet on the new limit still enforce (CWP_MAX_EVENT_BYTES=256KiB). One event of
// the largest size fills a batch on its own.
inline constexpr std::size_t max_event_bytes = 1'048'576;
inline constexpr std::size_t legacy_max_event_bytes = 262'144;
static_assert(max_event_bytes <= max_batch_bytes);
// The largest message of the largest event.
inline constexpr std::size_t max_message_bytes = max_event_bytes - per_event_overhead_bytes;
// The events of one call may span at most 24 hours.
inline constexpr std::chrono::hours max_batch_span{24};
// Events older than 14 days are rejected by the service; more than 2 hours ahead, too.
inline constexpr std::chrono::hours max_event_age{14 * 24};
inline constexpr std::chrono::hours max_event_lead{2};

std::size_t event_size(const log_event& e);

// How many of the events in [first, last) (in timestamp order) fit the first batch under the
// byte, count and span limits. At least 1 when the range is not empty.
template <class It>
std::size_t next_batch_size(It first, It last) {
  const auto span_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(max_batch_span).count();
  std::size_t count = 0;
  std::size_t bytes = 0;
  for (It it = first; it != last; ++it) {
    const std::size_t size = event_size(*it);
    if (count > 0 && (count == max_batch_events || bytes + size > max_batch_bytes ||
                      it->timestamp_ms - first->timestamp_ms > span_ms)) {
      break;
    }
    ++count;
    bytes += size;
  }
  return count;
}

// Splits events (already in timestamp order) into consecutive batches that each respect the
// limits. Returns the batch sizes (number of events), in order.
std::vector<std::size_t> plan_batches(std::span<const log_event> events);

// Truncates a message that would not fit a batch on its own to max_message_bytes, cutting at a
// UTF-8 character boundary. Returns true when it truncated.
bool truncate_message(std::string& message, std::size_t limit = max_message_bytes);

}  // namespace cwp::cloudwatch
