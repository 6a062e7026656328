// The journal on a volume that fills up (an in-memory file system of limited capacity): what is
// deleted when a removal record cannot be written, what the next start sees, and how large
// removals are written.

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "spool/journal.h"
#include "support/memory_file_system.h"

namespace cwp::spool {
namespace {

const std::filesystem::path spool_dir = "/state/spool";
// Three 50-byte events (88 bytes each encoded) fill a segment.
constexpr std::size_t small_segment_bytes = 256;

std::vector<std::string> messages(const std::vector<stored_event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.message);
  return out;
}

std::string event_text(int i) {
  std::string text = "event " + std::to_string(i);
  text.resize(50, '.');
  return text;
}

class JournalOnAFullDisk : public ::testing::Test {
 protected:
  std::unique_ptr<journal> open(std::size_t segment_bytes = small_segment_bytes) {
    auto j = journal::open(spool_dir, {.segment_bytes = segment_bytes, .files = &disk});
    if (!j) ADD_FAILURE() << j.error().message;
    return j ? std::move(*j) : nullptr;
  }

  // Appends events `first` .. `last` (their texts) and returns their ids.
  static std::vector<std::uint64_t> append(journal& j, int first, int last) {
    std::vector<std::uint64_t> ids;
    for (int i = first; i <= last; ++i) {
      const auto id = j.append("s", i, event_text(i));
      EXPECT_TRUE(id);
      if (id) ids.push_back(*id);
    }
    return ids;
  }

  std::vector<std::string> segments() const { return disk.names(spool_dir, ".seg"); }

  testing::memory_file_system disk;
};

TEST_F(JournalOnAFullDisk, DeliveredSegmentsAreDeletedThoughTheRemovalCannotBeWritten) {
  auto j = open();
  const auto ids = append(*j, 1, 12);
  ASSERT_EQ(segments().size(), 4U);
  disk.fill();
  // Delivered in batches of five, as the shipper would. The first removal record does not fit;
  // deleting segment 1 frees space, so a later one may.
  EXPECT_FALSE(j->remove(std::span(ids).first(5)));
  EXPECT_EQ(segments().size(), 3U);
  (void)j->remove(std::span(ids).subspan(5, 5));
  (void)j->remove(std::span(ids).subspan(10));
  EXPECT_TRUE(segments().empty());
  EXPECT_EQ(j->file_bytes(), 0U);
  EXPECT_EQ(j->live_events(), 0U);

  // The next start finds nothing: no delivered event is sent again.
  j.reset();
  auto again = open();
  EXPECT_TRUE(again->take_loaded().empty());
}

TEST_F(JournalOnAFullDisk, AfterEachBatchOnlyTheSegmentsWithUndeliveredEventsRemain) {
  auto j = open();
  const auto ids = append(*j, 1, 9);  // segments: 1-3, 4-6, 7-9
  disk.fill();
  EXPECT_FALSE(j->remove(std::span(ids).first(4)));
  EXPECT_EQ(segments().size(), 2U);  // 4-6 holds undelivered events; 7-9 is newer
  j.reset();
  auto again = open();
  // What a restart sees: event 4 again (its removal is not on disk, and its segment could not
  // go), then the undelivered ones. Nothing of the deleted segment.
  EXPECT_EQ(messages(again->take_loaded()),
            (std::vector<std::string>{event_text(4), event_text(5), event_text(6), event_text(7),
                                      event_text(8), event_text(9)}));
}

TEST_F(JournalOnAFullDisk, APendingRemovalIsWrittenAsSoonAsThereIsSpaceAgain) {
  auto j = open();
  const auto ids = append(*j, 1, 3);  // one segment, still appended to
  disk.fill();
  const std::vector<std::uint64_t> delivered{ids[0], ids[1]};
  EXPECT_FALSE(j->remove(delivered));
  disk.unlimited();
  ASSERT_TRUE(j->append("s", 4, "after"));
  j.reset();
  auto again = open();
  EXPECT_EQ(messages(again->take_loaded()), (std::vector<std::string>{event_text(3), "after"}));
}

TEST_F(JournalOnAFullDisk, ASegmentWhoseRemovalsHideEventsOfAnOlderSegmentIsKept) {
  auto j = open();
  const auto first = append(*j, 1, 3);  // segment 1: 1-3, full
  const std::vector<std::uint64_t> two{first[1]};
  ASSERT_TRUE(j->remove(two));  // segment 2 starts with the removal of event 2
  const auto fourth = append(*j, 4, 4);
  disk.fill();
  // Segment 2 has no undelivered event left, but deleting it would bring event 2 back.
  EXPECT_FALSE(j->remove(fourth));
  EXPECT_EQ(segments().size(), 2U);
  j.reset();
  auto again = open();
  EXPECT_EQ(messages(again->take_loaded()),
            (std::vector<std::string>{event_text(1), event_text(3), event_text(4)}));
}

TEST_F(JournalOnAFullDisk, ARestartOnAStillFullDiskDeletesWhatItThenDelivers) {
  {
    auto j = open();
    append(*j, 1, 7);
  }
  disk.fill();
  auto j = open();  // the start-up compaction cannot write: the segments stay as they are
  const auto loaded = j->take_loaded();
  ASSERT_EQ(loaded.size(), 7U);
  EXPECT_EQ(segments().size(), 3U);
  std::vector<std::uint64_t> ids;
  for (const auto& e : loaded) ids.push_back(e.id);
  EXPECT_FALSE(j->remove(ids));
  EXPECT_TRUE(segments().empty());
  j.reset();
  EXPECT_TRUE(open()->take_loaded().empty());
}

TEST_F(JournalOnAFullDisk, ACopyLeftByAnInterruptedCompactionIsRemovedToo) {
  // A crash after a compaction's rename and after part of its deletions: event 1 is in
  // segment 1 and in the compacted segment 2, event 2 only in segment 2.
  std::string first;
  encode(event_record{1, 1, "s", "one"}, first);
  std::string second = first;
  encode(event_record{2, 2, "s", "two"}, second);
  ASSERT_TRUE(disk.create_private_directory(spool_dir));
  disk.write(spool_dir / "0000000000000001.seg", first);
  disk.write(spool_dir / "0000000000000002.seg", second);
  disk.fill();
  auto j = open();
  const std::vector<std::uint64_t> one{1};
  EXPECT_FALSE(j->remove(one));  // segment 1 goes; the removal of the copy in 2 is still due
  EXPECT_EQ(segments(), (std::vector<std::string>{"0000000000000002.seg"}));
  disk.unlimited();
  ASSERT_TRUE(j->append("s", 3, "after"));
  j.reset();
  EXPECT_EQ(messages(open()->take_loaded()), (std::vector<std::string>{"two", "after"}));
}

TEST_F(JournalOnAFullDisk, LargeRemovalsAreWrittenAsRecordsBelowTheDecoderCap) {
  // More ids than one record below the cap can hold, all in one segment.
  constexpr std::uint64_t events = 300'000;
  auto j = open(64U * 1024U * 1024U);
  std::vector<std::uint64_t> ids;
  for (std::uint64_t i = 0; i < events; ++i) {
    const auto id = j->append("s", 0, "m");
    ASSERT_TRUE(id);
    ids.push_back(*id);
  }
  ids.pop_back();  // the last one stays undelivered
  ASSERT_TRUE(j->remove(ids));
  ASSERT_TRUE(j->append("s", 1, "after"));
  EXPECT_LE(disk.largest_append_bytes(), record_header_bytes + max_record_body_bytes);
  j.reset();
  auto again = open();
  EXPECT_EQ(again->loaded().torn_segments, 0U);
  EXPECT_EQ(messages(again->take_loaded()), (std::vector<std::string>{"m", "after"}));
}

TEST_F(JournalOnAFullDisk, ARecordDamagedInPlaceIsReportedAndTheEventsAfterItStillLoad) {
  {
    auto j = open();
    append(*j, 1, 3);
  }
  const auto name = spool_dir / segments().at(0);
  std::string bytes = disk.content(name);
  const std::size_t record_bytes = bytes.size() / 3;
  bytes[record_bytes + record_bytes / 2] ^= 0x01;  // in the body of the second record
  disk.write(name, bytes);
  auto j = open();
  EXPECT_EQ(messages(j->take_loaded()), (std::vector<std::string>{event_text(1), event_text(3)}));
  EXPECT_EQ(j->loaded().damaged_records, 1U);
  EXPECT_EQ(j->loaded().damaged_bytes, record_bytes);
  EXPECT_EQ(j->loaded().torn_segments, 0U);
}

}  // namespace
}  // namespace cwp::spool
