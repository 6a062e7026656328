#include "spool/record.h"

#include <gtest/gtest.h>

#include <string>

namespace cwp::spool {
namespace {

event_record sample_event(std::uint64_t id) {
  return event_record{id, 1'764'487'800'000 + static_cast<std::int64_t>(id), "heartbeat-2026-11-30",
                      R"({"message":"alive","id":"b-)" + std::to_string(id) + "\"}"};
}

TEST(SpoolRecord, EventsAndRemovalsRoundTrip) {
  std::string bytes;
  encode(sample_event(1), bytes);
  encode(removal_record{{1, 7, 1ULL << 40}}, bytes);
  encode(sample_event(2), bytes);

  const auto decoded = decode_segment(bytes);
  EXPECT_FALSE(decoded.torn);
  EXPECT_EQ(decoded.valid_bytes, bytes.size());
  ASSERT_EQ(decoded.records.size(), 3U);
  EXPECT_EQ(std::get<event_record>(decoded.records[0]), sample_event(1));
  EXPECT_EQ(std::get<removal_record>(decoded.records[1]).ids,
            (std::vector<std::uint64_t>{1, 7, 1ULL << 40}));
  EXPECT_EQ(std::get<event_record>(decoded.records[2]), sample_event(2));
}

TEST(SpoolRecord, KeepsBinaryAndEmptyFieldsIntact) {
  const event_record e{42, -5, "", std::string("a\0b\xff\n", 5)};
  std::string bytes;
  encode(e, bytes);
  const auto decoded = decode_segment(bytes);
  ASSERT_EQ(decoded.records.size(), 1U);
  EXPECT_EQ(std::get<event_record>(decoded.records[0]), e);
}

TEST(SpoolRecord, EveryTruncationOfTheLastRecordIsDetectedAsTorn) {
  std::string first;
  encode(sample_event(1), first);
  std::string second;
  encode(sample_event(2), second);
  for (std::size_t cut = 1; cut < second.size(); ++cut) {
    const std::string bytes = first + second.substr(0, cut);
    const auto decoded = decode_segment(bytes);
    ASSERT_EQ(decoded.records.size(), 1U) << "cut at " << cut;
    EXPECT_TRUE(decoded.torn);
    EXPECT_EQ(decoded.valid_bytes, first.size());
  }
}

TEST(SpoolRecord, AFlippedBitFailsTheChecksumAndNothingAfterItIsTrusted) {
  std::string bytes;
  encode(sample_event(1), bytes);
  const std::size_t first_size = bytes.size();
  encode(sample_event(2), bytes);
  encode(sample_event(3), bytes);
  for (std::size_t i = first_size; i < bytes.size() - 1; i += 7) {
    std::string corrupt = bytes;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x10);
    const auto decoded = decode_segment(corrupt);
    EXPECT_TRUE(decoded.torn) << "flip at " << i;
    EXPECT_LE(decoded.records.size(), 2U);
    ASSERT_GE(decoded.records.size(), 1U);
    EXPECT_EQ(std::get<event_record>(decoded.records[0]), sample_event(1));
    for (const auto& r : decoded.records) {
      const auto& e = std::get<event_record>(r);
      EXPECT_EQ(e, sample_event(e.id)) << "a corrupt record was accepted, flip at " << i;
    }
  }
}

TEST(SpoolRecord, ZeroFilledTailIsTornNotARecord) {
  // What a file system may leave after a crash: the size grew but the data never arrived.
  std::string bytes;
  encode(sample_event(1), bytes);
  bytes.append(4096, '\0');
  const auto decoded = decode_segment(bytes);
  EXPECT_EQ(decoded.records.size(), 1U);
  EXPECT_TRUE(decoded.torn);
}

TEST(SpoolRecord, OversizedLengthIsRejectedWithoutReadingPastTheEnd) {
  std::string bytes = "CWP1";
  bytes += std::string("\xff\xff\xff\x7f", 4);
  bytes += std::string(4, '\0');
  const auto decoded = decode_segment(bytes);
  EXPECT_TRUE(decoded.records.empty());
  EXPECT_EQ(decoded.valid_bytes, 0U);
  EXPECT_TRUE(decoded.torn);
}

TEST(SpoolRecord, EmptyInputIsAnEmptyCleanSegment) {
  const auto decoded = decode_segment("");
  EXPECT_TRUE(decoded.records.empty());
  EXPECT_FALSE(decoded.torn);
}

}  // namespace
}  // namespace cwp::spool
