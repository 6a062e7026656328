#pragma once
// The spool's on-disk record format. A segment file is a sequence of records:
//
//   u32 magic "CWP1" | u32 body length | u32 CRC-32C of the body | body
//
// all little-endian. A body is either an event (type 1: id, timestamp, stream, message) or a
// removal (type 2: ids of events delivered or dropped). decode_segment() reads records until
// the end or the first record that is short or fails its checksum: after a crash only the tail
// can be torn, and nothing after a bad record is trusted, with one exception: a bad record whose
// frame is intact and that is followed by a whole, valid record was damaged in place (a crash
// never leaves that), so it alone is skipped, and reported, and the records after it are kept.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cwp::spool {

inline constexpr std::uint32_t record_magic = 0x31505743U;  // "CWP1" read as little-endian
inline constexpr std::size_t record_header_bytes = 12;
// The largest record body the journal writes: more than any event CloudWatch accepts (1 MiB)
// plus its stream name (cloudwatch/shipper.cpp asserts it against the PutLogEvents limit). The
// decoder also reads larger records when they are whole and their checksum matches (earlier
// versions wrote removal records of any size).
inline constexpr std::size_t max_record_body_bytes = std::size_t{2} * 1024 * 1024;
// The most ids one removal record holds (512 KiB of body): larger removals are written as
// several records, each below max_record_body_bytes, so each fits in what a nearly full disk
// has left.
inline constexpr std::size_t max_removal_ids_per_record = 65'536;
static_assert(1 + 4 + 8 * max_removal_ids_per_record <= max_record_body_bytes);

// The body size of an event record: type, id, timestamp, then stream and message, each after
// its 4-byte length (the shipper checks that its largest event fits max_record_body_bytes).
constexpr std::size_t event_record_body_bytes(std::size_t stream_bytes, std::size_t message_bytes) {
  return 1 + 8 + 8 + 4 + stream_bytes + 4 + message_bytes;
}

struct event_record {
  std::uint64_t id{0};
  std::int64_t timestamp_ms{0};
  std::string stream;
  std::string message;
  bool operator==(const event_record&) const = default;
};

struct removal_record {
  std::vector<std::uint64_t> ids;
  bool operator==(const removal_record&) const = default;
};

using record = std::variant<event_record, removal_record>;

// Appends the encoded record to `out`. A removal should hold at most max_removal_ids_per_record.
void encode(const event_record& r, std::string& out);
void encode(const removal_record& r, std::string& out);

struct byte_range {
  std::size_t offset{0};
  std::size_t bytes{0};
  bool operator==(const byte_range&) const = default;
};

struct decoded_segment {
  std::vector<record> records;
  std::size_t valid_bytes{0};       // end of the last whole, valid record
  bool torn{false};                 // bytes after valid_bytes were ignored
  std::vector<byte_range> damaged;  // records before valid_bytes skipped: damaged in place
};

decoded_segment decode_segment(std::string_view bytes);

}  // namespace cwp::spool
