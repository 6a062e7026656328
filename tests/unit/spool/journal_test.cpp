#include "spool/journal.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/file_size_limit.h"
#include "support/temp_dir.h"

namespace cwp::spool {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> segments(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".seg") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> messages(const std::vector<stored_event>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.message);
  return out;
}

std::unique_ptr<journal> open_ok(const fs::path& dir, journal::options opts = {}) {
  auto j = journal::open(dir, opts);
  if (!j) ADD_FAILURE() << j.error().message;
  return j ? std::move(*j) : nullptr;
}

TEST(Journal, AnEmptyDirectoryLoadsNothing) {
  testing::temp_dir tmp;
  auto j = open_ok(tmp.path() / "spool");
  ASSERT_TRUE(j);
  EXPECT_TRUE(j->take_loaded().empty());
  EXPECT_EQ(j->live_events(), 0U);
  EXPECT_TRUE(fs::is_directory(tmp.path() / "spool"));
  EXPECT_EQ(fs::status(tmp.path() / "spool").permissions() & fs::perms::others_all,
            fs::perms::none);
}

TEST(Journal, AppendedEventsSurviveReopeningInOrderWithTheirFields) {
  testing::temp_dir tmp;
  {
    auto j = open_ok(tmp.path());
    ASSERT_TRUE(j);
    EXPECT_EQ(*j->append("stream-a", 1000, "one"), 1U);
    EXPECT_EQ(*j->append("stream-b", 2000, "two"), 2U);
    EXPECT_EQ(*j->append("stream-a", 3000, "three"), 3U);
    EXPECT_EQ(j->live_events(), 3U);
  }
  auto j = open_ok(tmp.path());
  ASSERT_TRUE(j);
  const auto loaded = j->take_loaded();
  ASSERT_EQ(loaded.size(), 3U);
  EXPECT_EQ(messages(loaded), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(loaded[1].stream, "stream-b");
  EXPECT_EQ(loaded[1].timestamp_ms, 2000);
  EXPECT_EQ(loaded[2].id, 3U);
  // Ids keep growing across restarts: a new event never reuses an old id.
  EXPECT_EQ(*j->append("stream-a", 4000, "four"), 4U);
}

TEST(Journal, RemovedEventsAreNotLoadedAgain) {
  testing::temp_dir tmp;
  {
    auto j = open_ok(tmp.path());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(j->append("s", i, "event " + std::to_string(i)));
    const std::vector<std::uint64_t> delivered{1, 2, 4};
    ASSERT_TRUE(j->remove(delivered));
    EXPECT_EQ(j->live_events(), 2U);
  }
  auto j = open_ok(tmp.path());
  EXPECT_EQ(messages(j->take_loaded()), (std::vector<std::string>{"event 2", "event 4"}));
}

TEST(Journal, ReopeningCompactsToOneSegmentHoldingOnlyLiveEvents) {
  testing::temp_dir tmp;
  {
    auto j = open_ok(tmp.path(), {.segment_bytes = 256});
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(j->append("s", i, std::string(50, 'x')));
    std::vector<std::uint64_t> ids;
    for (std::uint64_t id = 1; id <= 38; ++id) ids.push_back(id);
    ASSERT_TRUE(j->remove(ids));
  }
  EXPECT_GT(segments(tmp.path()).size(), 1U);
  auto j = open_ok(tmp.path(), {.segment_bytes = 256});
  EXPECT_EQ(j->take_loaded().size(), 2U);
  ASSERT_EQ(segments(tmp.path()).size(), 1U);
  EXPECT_EQ(j->file_bytes(), fs::file_size(segments(tmp.path())[0]));
  EXPECT_EQ(j->file_bytes(), j->live_bytes());
}

TEST(Journal, FullyDeliveredSegmentsAreDeletedWhileRunning) {
  testing::temp_dir tmp;
  auto j = open_ok(tmp.path(), {.segment_bytes = 200});
  std::vector<std::uint64_t> ids;
  for (int i = 0; i < 30; ++i) ids.push_back(*j->append("s", i, std::string(60, 'y')));
  EXPECT_GE(segments(tmp.path()).size(), 5U);
  ASSERT_TRUE(j->remove(ids));
  ASSERT_TRUE(j->append("s", 99, "after"));
  EXPECT_LE(segments(tmp.path()).size(), 2U);
  EXPECT_EQ(j->live_events(), 1U);
}

TEST(Journal, DiskUseStaysBoundedWhenOneOldEventIsNeverDelivered) {
  testing::temp_dir tmp;
  auto j = open_ok(tmp.path(), {.segment_bytes = 1024});
  ASSERT_TRUE(j->append("stuck", 0, "the one that waits"));
  for (int i = 0; i < 300; ++i) {
    const auto id = j->append("s", i, std::string(100, 'z'));
    ASSERT_TRUE(id);
    const std::vector<std::uint64_t> delivered{*id};
    ASSERT_TRUE(j->remove(delivered));
  }
  EXPECT_LT(j->file_bytes(), 4U * 1024U);
  j.reset();
  auto again = open_ok(tmp.path(), {.segment_bytes = 1024});
  EXPECT_EQ(messages(again->take_loaded()), (std::vector<std::string>{"the one that waits"}));
}

TEST(Journal, ATornTailIsSkippedAndTheRestLoads) {
  testing::temp_dir tmp;
  {
    auto j = open_ok(tmp.path());
    ASSERT_TRUE(j->append("s", 1, "kept"));
    ASSERT_TRUE(j->append("s", 2, "also kept"));
  }
  const auto seg = segments(tmp.path()).at(0);
  // A crash in the middle of writing a third record.
  {
    std::ofstream out(seg, std::ios::binary | std::ios::app);
    out << std::string("CWP1\x30\x00\x00\x00", 8) << "garbage";
  }
  auto j = open_ok(tmp.path());
  EXPECT_EQ(messages(j->take_loaded()), (std::vector<std::string>{"kept", "also kept"}));
  EXPECT_EQ(j->loaded().torn_segments, 1U);
  EXPECT_EQ(j->loaded().ignored_bytes, 15U);
  // New records never follow the garbage: loading again is clean.
  ASSERT_TRUE(j->append("s", 3, "new"));
  j.reset();
  auto again = open_ok(tmp.path());
  EXPECT_EQ(again->loaded().torn_segments, 0U);
  EXPECT_EQ(messages(again->take_loaded()), (std::vector<std::string>{"kept", "also kept", "new"}));
}

TEST(Journal, AnInterruptedCompactionLosesNothingAndDuplicatesNothing) {
  testing::temp_dir tmp;
  {
    auto j = open_ok(tmp.path());
    ASSERT_TRUE(j->append("s", 1, "a"));
    ASSERT_TRUE(j->append("s", 2, "b"));
  }
  // The state a crash leaves between the rename of a compacted segment and the deletion of
  // the old one: the same events in two segments, plus a temp file that never got renamed.
  const auto seg = segments(tmp.path()).at(0);
  fs::copy_file(seg, tmp.path() / "00000000000000ff.seg");
  tmp.write("0000000000000100.tmp", "half a compaction");
  auto j = open_ok(tmp.path());
  EXPECT_EQ(messages(j->take_loaded()), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(fs::exists(tmp.path() / "0000000000000100.tmp"));
  EXPECT_EQ(segments(tmp.path()).size(), 1U);
}

TEST(Journal, ForeignFilesInTheDirectoryAreLeftAlone) {
  testing::temp_dir tmp;
  tmp.write("README", "not ours");
  tmp.write("zz.seg", "not a segment name");
  auto j = open_ok(tmp.path());
  EXPECT_TRUE(j->take_loaded().empty());
  EXPECT_TRUE(fs::exists(tmp.path() / "README"));
  EXPECT_TRUE(fs::exists(tmp.path() / "zz.seg"));
}

TEST(Journal, OnlyOneProcessOwnsADirectory) {
  testing::temp_dir tmp;
  auto first = open_ok(tmp.path());
  auto second = journal::open(tmp.path());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("in use by another cloudwatch-publisher process"),
            std::string::npos);
  first.reset();
  EXPECT_TRUE(journal::open(tmp.path()));
}

TEST(Journal, AnUncreatableDirectoryIsAnErrorNamingThePath) {
  testing::temp_dir tmp;
  tmp.write("file", "x");
  auto j = journal::open(tmp.path() / "file" / "spool");
  ASSERT_FALSE(j);
  EXPECT_NE(j.error().message.find((tmp.path() / "file").string()), std::string::npos);
}

TEST(Journal, AFailedWriteAddsNothingAndLeavesNoPartialRecord) {
  testing::temp_dir tmp;
  auto j = open_ok(tmp.path());
  ASSERT_TRUE(j->append("s", 1, "before"));
  {
    // Room for part of the next record only.
    const testing::file_size_limit limit(j->file_bytes() + 40);
    const auto failed = j->append("s", 2, std::string(500, 'x'));
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, core::errc::io);
    EXPECT_EQ(j->live_events(), 1U);
  }
  ASSERT_TRUE(j->append("s", 3, "after"));
  j.reset();
  auto again = open_ok(tmp.path());
  EXPECT_EQ(again->loaded().torn_segments, 0U);
  EXPECT_EQ(messages(again->take_loaded()), (std::vector<std::string>{"before", "after"}));
}

}  // namespace
}  // namespace cwp::spool
