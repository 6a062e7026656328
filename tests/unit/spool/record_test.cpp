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

TEST(SpoolRecord, AFlippedBitIsNeverAcceptedAndIsEitherATornTailOrADamagedRecord) {
  std::string bytes;
  encode(sample_event(1), bytes);
  const std::size_t first_size = bytes.size();
  encode(sample_event(2), bytes);
  const std::size_t second_end = bytes.size();
  encode(sample_event(3), bytes);
  for (std::size_t i = first_size; i < bytes.size() - 1; i += 7) {
    std::string corrupt = bytes;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x10);
    const auto decoded = decode_segment(corrupt);
    ASSERT_GE(decoded.records.size(), 1U);
    EXPECT_EQ(std::get<event_record>(decoded.records[0]), sample_event(1));
    EXPECT_EQ(decoded.records.size(), 2U - (decoded.torn && i < second_end ? 1U : 0U))
        << "flip at " << i;
    for (const auto& r : decoded.records) {
      const auto& e = std::get<event_record>(r);
      EXPECT_EQ(e, sample_event(e.id)) << "a corrupt record was accepted, flip at " << i;
    }
    // Either the tail from the flipped record on is ignored, or that record alone is skipped
    // and reported (its frame was intact and a valid record follows it).
    EXPECT_NE(decoded.torn, decoded.damaged.size() == 1U) << "flip at " << i;
  }
}

TEST(SpoolRecord, ARecordDamagedInPlaceIsSkippedAloneAndReported) {
  std::string bytes;
  encode(sample_event(1), bytes);
  const std::size_t second_start = bytes.size();
  encode(sample_event(2), bytes);
  const std::size_t second_size = bytes.size() - second_start;
  encode(sample_event(3), bytes);
  bytes[second_start + second_size - 3] ^= 0x01;  // in the message of the second event
  const auto decoded = decode_segment(bytes);
  ASSERT_EQ(decoded.records.size(), 2U);
  EXPECT_EQ(std::get<event_record>(decoded.records[0]), sample_event(1));
  EXPECT_EQ(std::get<event_record>(decoded.records[1]), sample_event(3));
  EXPECT_EQ(decoded.damaged, (std::vector<byte_range>{{second_start, second_size}}));
  EXPECT_FALSE(decoded.torn);
  EXPECT_EQ(decoded.valid_bytes, bytes.size());
}

TEST(SpoolRecord, ADamagedLastRecordIsATornTail) {
  std::string bytes;
  encode(sample_event(1), bytes);
  const std::size_t first_size = bytes.size();
  encode(sample_event(2), bytes);
  bytes.back() ^= 0x01;
  const auto decoded = decode_segment(bytes);
  EXPECT_EQ(decoded.records.size(), 1U);
  EXPECT_TRUE(decoded.damaged.empty());
  EXPECT_TRUE(decoded.torn);
  EXPECT_EQ(decoded.valid_bytes, first_size);
}

TEST(SpoolRecord, AMaximalRemovalRecordFitsUnderTheCap) {
  removal_record r;
  for (std::uint64_t id = 1; id <= max_removal_ids_per_record; ++id) r.ids.push_back(id);
  std::string bytes;
  encode(r, bytes);
  EXPECT_LE(bytes.size(), record_header_bytes + max_record_body_bytes);
  const auto decoded = decode_segment(bytes);
  ASSERT_EQ(decoded.records.size(), 1U);
  EXPECT_EQ(std::get<removal_record>(decoded.records[0]), r);
}

TEST(SpoolRecord, AWholeRecordAboveTheCapStillDecodesAndSoDoesWhatFollowsIt) {
  // Earlier versions wrote a removal of any size in one record: > 262,143 ids exceed the cap.
  removal_record big;
  for (std::uint64_t id = 1; id <= 300'000; ++id) big.ids.push_back(id);
  std::string bytes;
  encode(big, bytes);
  ASSERT_GT(bytes.size(), record_header_bytes + max_record_body_bytes);
  encode(sample_event(300'001), bytes);
  const auto decoded = decode_segment(bytes);
  EXPECT_FALSE(decoded.torn);
  ASSERT_EQ(decoded.records.size(), 2U);
  EXPECT_EQ(std::get<removal_record>(decoded.records[0]).ids.size(), 300'000U);
  EXPECT_EQ(std::get<event_record>(decoded.records[1]), sample_event(300'001));
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
