#include "core/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/temp_dir.h"

namespace cwp::core {
namespace {

namespace fs = std::filesystem;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t entries(const fs::path& dir) {
  return static_cast<std::size_t>(
      std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}

unsigned permissions(const std::string& path) {
  struct stat info {};
  EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777U;
}

TEST(AtomicFile, WritesTheContentWithNoTemporaryLeftBehind) {
  const testing::temp_dir dir;
  const std::string path = dir.file("state.json");
  ASSERT_TRUE(write_file_atomically(path, "one\n"));
  ASSERT_TRUE(write_file_atomically(path, "two\n"));
  EXPECT_EQ(read(path), "two\n");
  EXPECT_EQ(entries(dir.path()), 1U);
  EXPECT_EQ(permissions(path) & ~0644U, 0U) << "0644 or tighter";
}

// Not durable (no fsync: the health file, rewritten after every attempt): still a whole
// replacement, read back at once, with nothing left behind.
TEST(AtomicFile, WithoutDurabilityItStillReplacesTheFileWholeWithNoTemporaryLeftBehind) {
  const testing::temp_dir dir;
  const std::string path = dir.file("health.json");
  const atomic_write_options options{
      .file_mode = 0644, .create_directory = false, .durable = false};
  ASSERT_TRUE(write_file_atomically(path, "old content\n", options));
  std::ifstream reader(path);
  ASSERT_TRUE(write_file_atomically(path, "new\n", options));
  std::ostringstream seen;
  seen << reader.rdbuf();
  EXPECT_EQ(seen.str(), "old content\n");
  EXPECT_EQ(read(path), "new\n");
  EXPECT_EQ(entries(dir.path()), 1U);
}

TEST(AtomicFile, AReaderOfTheOldFileKeepsSeeingItWhole) {
  const testing::temp_dir dir;
  const std::string path = dir.file("state.json");
  ASSERT_TRUE(write_file_atomically(path, "old content\n"));
  std::ifstream reader(path);
  ASSERT_TRUE(write_file_atomically(path, "new\n"));
  std::ostringstream seen;
  seen << reader.rdbuf();
  EXPECT_EQ(seen.str(), "old content\n");
  EXPECT_EQ(read(path), "new\n");
}

TEST(AtomicFile, ALinkAtThePathIsReplacedNotFollowed) {
  const testing::temp_dir dir;
  const testing::temp_dir elsewhere;
  const std::string victim = elsewhere.write("victim", "untouched\n");
  const std::string path = dir.file("state.json");
  fs::create_symlink(victim, path);
  const std::string dangling = dir.file("dangling.json");
  fs::create_symlink(elsewhere.file("would-be-created"), dangling);

  ASSERT_TRUE(write_file_atomically(path, "mine\n"));
  ASSERT_TRUE(write_file_atomically(dangling, "mine too\n"));

  EXPECT_EQ(read(victim), "untouched\n");
  EXPECT_FALSE(fs::exists(elsewhere.file("would-be-created")));
  EXPECT_FALSE(fs::is_symlink(path));
  EXPECT_EQ(read(path), "mine\n");
  EXPECT_EQ(read(dangling), "mine too\n");
}

TEST(AtomicFile, CreatesAMissingDirectoryOnlyWhenAskedAndOnlyForTheOwner) {
  const testing::temp_dir dir;
  const std::string path = dir.file("run/state.json");
  const auto refused = write_file_atomically(path, "x");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::io);
  EXPECT_NE(refused.error().message.find(dir.file("run")), std::string::npos)
      << refused.error().message;

  ASSERT_TRUE(write_file_atomically(path, "x", {.create_directory = true}));
  EXPECT_EQ(read(path), "x");
  EXPECT_EQ(permissions(dir.file("run")), 0700U);
  // Only the last level: a deeper missing path is an error, not a tree of directories.
  EXPECT_FALSE(write_file_atomically(dir.file("a/b/state.json"), "x", {.create_directory = true}));
}

TEST(AtomicFile, ADirectoryAtThePathIsAnErrorAndStaysAsItWas) {
  const testing::temp_dir dir;
  fs::create_directory(dir.file("state.json"));
  const auto r = write_file_atomically(dir.file("state.json"), "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find(dir.file("state.json")), std::string::npos) << r.error().message;
  EXPECT_TRUE(fs::is_directory(dir.file("state.json")));
  EXPECT_EQ(entries(dir.path()), 1U) << "the temporary was removed";
}

}  // namespace
}  // namespace cwp::core
