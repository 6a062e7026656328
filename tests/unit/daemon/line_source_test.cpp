#include "daemon/line_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>

namespace cwp::daemon {
namespace {

using namespace std::chrono_literals;
using status = line_source::status;

class Pipe : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe(fds_), 0);
    source_ = std::make_unique<fd_line_source>(fds_[0]);
  }
  void TearDown() override {
    ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  void write(const std::string& text) {
    ASSERT_EQ(::write(fds_[1], text.data(), text.size()), static_cast<ssize_t>(text.size()));
  }
  void close_writer() {
    ::close(fds_[1]);
    fds_[1] = -1;
  }
  status next(std::string& line) { return *source_->next(line, 0ms); }

  int fds_[2]{-1, -1};
  std::unique_ptr<fd_line_source> source_;
};

TEST_F(Pipe, SplitsLinesAndDropsCarriageReturnsBeforeNewlines) {
  std::string line;
  write("one\ntwo\r\n\nthree\rx\n");
  EXPECT_EQ(next(line), status::line);
  EXPECT_EQ(line, "one");
  EXPECT_EQ(next(line), status::line);
  EXPECT_EQ(line, "two");
  EXPECT_EQ(next(line), status::line);
  EXPECT_EQ(line, "");
  EXPECT_EQ(next(line), status::line);
  EXPECT_EQ(line, "three\rx");
}

TEST_F(Pipe, IsIdleWhileAPartialLineWaitsForItsNewline) {
  std::string line;
  write("par");
  EXPECT_EQ(next(line), status::idle);
  write("tial\n");
  EXPECT_EQ(next(line), status::line);
  EXPECT_EQ(line, "partial");
  EXPECT_EQ(next(line), status::idle);
}

TEST_F(Pipe, ReturnsALastLineWithoutNewlineThenEnd) {
  std::string line;
  write("a\nlast");
  close_writer();
  EXPECT_EQ(next(line), status::line);
  EXPECT_EQ(line, "a");
  EXPECT_EQ(next(line), status::line);
  EXPECT_EQ(line, "last");
  EXPECT_EQ(next(line), status::end);
  EXPECT_EQ(next(line), status::end);
}

TEST_F(Pipe, EmptyInputIsEndAtOnce) {
  std::string line;
  close_writer();
  EXPECT_EQ(next(line), status::end);
}

TEST_F(Pipe, ALineLargerThanOneReadIsKeptWhole) {
  const std::string big(200'000, 'x');
  std::string line;
  // Written in chunks with reads in between: the line comes out only when its newline arrives.
  std::string text = big + "\n";
  std::size_t written = 0;
  while (written < text.size()) {
    const auto n =
        ::write(fds_[1], text.data() + written, std::min<std::size_t>(4096, text.size() - written));
    ASSERT_GT(n, 0);
    written += static_cast<std::size_t>(n);
    if (written < text.size()) {
      EXPECT_EQ(next(line), status::idle);
    }
  }
  EXPECT_EQ(next(line), status::line);
  EXPECT_EQ(line, big);
}

}  // namespace
}  // namespace cwp::daemon
