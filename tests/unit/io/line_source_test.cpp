#include "io/line_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace cwp::io {
namespace {

using namespace std::chrono_literals;
using status = line_source::status;

// The event size `send` uses today.
constexpr std::size_t piece_bytes = 262'118;

class Pipe : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe(fds_), 0);
    use_piece_bytes(piece_bytes);
  }
  void use_piece_bytes(std::size_t n) { source_ = std::make_unique<fd_line_source>(fds_[0], n); }
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
  status next(std::string& line) {
    line_piece piece;
    const auto got = *source_->next(piece, 0ms);
    EXPECT_TRUE(piece.final) << "a line was cut: " << piece.text;
    line = std::move(piece.text);
    return got;
  }
  // The pieces of the next line (waiting for them), until the final one.
  std::vector<std::string> next_line_pieces() {
    std::vector<std::string> out;
    line_piece piece;
    for (;;) {
      const auto got = *source_->next(piece, 1000ms);
      if (got == status::end) ADD_FAILURE() << "end of input inside a line";
      if (got != status::piece) return out;
      out.push_back(piece.text);
      if (piece.final) return out;
    }
  }

  int fds_[2]{-1, -1};
  std::unique_ptr<fd_line_source> source_;
};

TEST_F(Pipe, SplitsLinesAndDropsCarriageReturnsBeforeNewlines) {
  std::string line;
  write("one\ntwo\r\n\nthree\rx\n");
  EXPECT_EQ(next(line), status::piece);
  EXPECT_EQ(line, "one");
  EXPECT_EQ(next(line), status::piece);
  EXPECT_EQ(line, "two");
  EXPECT_EQ(next(line), status::piece);
  EXPECT_EQ(line, "");
  EXPECT_EQ(next(line), status::piece);
  EXPECT_EQ(line, "three\rx");
}

TEST_F(Pipe, APieceCutFromBytesAlreadyReadIsMarkedBufferedTheFirstOfAReadIsNot) {
  // `send` keeps one clock reading for every line of one read().
  write("one\ntwo\n");
  line_piece piece;
  ASSERT_EQ(*source_->next(piece, 0ms), status::piece);
  EXPECT_EQ(piece.text, "one");
  EXPECT_FALSE(piece.buffered) << "it took a read";
  ASSERT_EQ(*source_->next(piece, 0ms), status::piece);
  EXPECT_EQ(piece.text, "two");
  EXPECT_TRUE(piece.buffered) << "it came with the same read";
  EXPECT_EQ(*source_->next(piece, 0ms), status::idle);
  write("three\n");
  ASSERT_EQ(*source_->next(piece, 0ms), status::piece);
  EXPECT_EQ(piece.text, "three");
  EXPECT_FALSE(piece.buffered);
}

TEST_F(Pipe, IsIdleWhileAPartialLineWaitsForItsNewline) {
  std::string line;
  write("par");
  EXPECT_EQ(next(line), status::idle);
  write("tial\n");
  EXPECT_EQ(next(line), status::piece);
  EXPECT_EQ(line, "partial");
  EXPECT_EQ(next(line), status::idle);
}

TEST_F(Pipe, ReturnsALastLineWithoutNewlineThenEnd) {
  std::string line;
  write("a\nlast");
  close_writer();
  EXPECT_EQ(next(line), status::piece);
  EXPECT_EQ(line, "a");
  EXPECT_EQ(next(line), status::piece);
  EXPECT_EQ(line, "last");
  EXPECT_EQ(next(line), status::end);
  EXPECT_EQ(next(line), status::end);
}

TEST_F(Pipe, EmptyInputIsEndAtOnce) {
  std::string line;
  close_writer();
  EXPECT_EQ(next(line), status::end);
}

TEST_F(Pipe, ALineOfUpToOnePieceLargerThanOneReadIsKeptWhole) {
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
  EXPECT_EQ(next(line), status::piece);
  EXPECT_EQ(line, big);
}

TEST_F(Pipe, ALongerLineComesOutInPiecesCutBeforeACharacterThatWouldCrossTheLimit) {
  use_piece_bytes(4);
  write(
      "abc\xE2\x82\xAC"
      "defgh\n");  // the euro sign is 3 bytes
  EXPECT_EQ(next_line_pieces(), (std::vector<std::string>{"abc",
                                                          "\xE2\x82\xAC"
                                                          "d",
                                                          "efgh"}));
}

TEST_F(Pipe, BytesThatAreNotUtf8AreCutAnywhereAndPassedOnUnchanged) {
  use_piece_bytes(4);
  write("\x80\x80\x80\x80\x80\xFFz\n");
  EXPECT_EQ(next_line_pieces(), (std::vector<std::string>{"\x80\x80\x80\x80", "\x80\xFFz"}));
}

TEST_F(Pipe, ACarriageReturnThatANewlineMayStillFollowIsNotCutOffAsAPiece) {
  use_piece_bytes(4);
  std::string line;
  write("abcd\r");
  EXPECT_EQ(next(line), status::idle);  // "abcd\r\n" would be a line of one piece
  write("\n");
  EXPECT_EQ(next(line), status::piece);
  EXPECT_EQ(line, "abcd");
}

TEST_F(Pipe, ALastLineWithoutNewlineLongerThanAPieceIsCutToo) {
  use_piece_bytes(4);
  write("abcdefghij\r");
  close_writer();
  EXPECT_EQ(next_line_pieces(), (std::vector<std::string>{"abcd", "efgh", "ij"}));
  line_piece piece;
  EXPECT_EQ(*source_->next(piece, 0ms), status::end);
}

TEST_F(Pipe, TenMebibytesWithoutANewlineComeOutInPiecesWithinABoundedBuffer) {
  constexpr std::size_t small_piece_bytes = 100'003;  // not a multiple of a read
  use_piece_bytes(small_piece_bytes);
  // ASCII and 2-, 3- and 4-byte characters, so that cuts meet every kind of sequence.
  std::string text;
  while (text.size() < 10U * 1024U * 1024U) text += "ab\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z";
  std::thread writer([&] {
    std::size_t written = 0;
    while (written < text.size()) {
      const auto n = ::write(fds_[1], text.data() + written, text.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    close_writer();
  });
  std::string read_back;
  std::size_t pieces = 0;
  std::size_t largest_buffer = 0;
  line_piece piece;
  for (;;) {
    const auto got = *source_->next(piece, 1000ms);
    largest_buffer = std::max(largest_buffer, source_->buffer_capacity_bytes());
    if (got == status::end) break;
    if (got != status::piece) continue;
    EXPECT_LE(piece.text.size(), small_piece_bytes);
    if (!piece.final) {
      EXPECT_GE(piece.text.size(), small_piece_bytes - 3);  // cut at most 3 bytes early
    }
    ++pieces;
    read_back += piece.text;
    if (piece.final) break;
  }
  writer.join();
  EXPECT_TRUE(piece.final);
  EXPECT_EQ(read_back.size(), text.size());
  EXPECT_TRUE(read_back == text) << "the pieces are not the input";
  EXPECT_GE(pieces, text.size() / small_piece_bytes);
  EXPECT_LE(largest_buffer, small_piece_bytes + fd_line_source::read_bytes);
}

}  // namespace
}  // namespace cwp::io
