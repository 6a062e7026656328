#pragma once
// Text input read line by line in bounded memory: `send` reads its stdin this way (and the
// output of scheduled jobs is meant to be read the same way). A line comes out whole when it
// fits in the piece size, else as consecutive pieces of at most that size, each cut between two
// UTF-8 characters and flagged "continued" or "final". Nothing is dropped or changed: the pieces
// of a line, concatenated, are its bytes without the line ending. Memory is O(piece size)
// whatever the input, a gigabyte without a newline included.
//
// line_source is an interface so that loops reading lines are tested with a scripted source
// and a fake clock; fd_line_source reads a file descriptor and waits with a timeout (a loop
// must be able to act, e.g. flush a half-full batch, when a slow pipe goes quiet).

#include <chrono>
#include <cstddef>
#include <string>

#include "core/error.h"

namespace cwp::io {

// A line, or one piece of a line longer than the piece size.
struct line_piece {
  std::string text;  // without the line ending; at most the piece size
  bool final{true};  // true: the line ends with this piece; false: the next piece continues it
  // True: cut from bytes an earlier read brought, with no wait or read since: it arrived when the
  // piece before it did, so a reader may keep that piece's clock readings (timestamps, quiet
  // time) instead of reading the clock for every line.
  bool buffered{false};
};

class line_source {
 public:
  enum class status {
    piece,  // `piece` holds the next piece (the whole line when it is the first and final)
    idle,   // nothing arrived within the wait
    end,    // end of input (a last line without a newline was returned before this)
  };

  line_source() = default;
  line_source(const line_source&) = delete;
  line_source& operator=(const line_source&) = delete;
  line_source(line_source&&) = delete;
  line_source& operator=(line_source&&) = delete;
  virtual ~line_source() = default;

  // Waits up to `wait` for the next piece. Read errors fail with errc::io.
  virtual core::result<status> next(line_piece& piece, std::chrono::milliseconds wait) = 0;
};

// The lines of a file descriptor (not owned), split at '\n'; a '\r' before the '\n' is removed
// too. A piece is cut before the lead byte of a UTF-8 sequence that would cross the piece size;
// bytes that are not well-formed UTF-8 are passed on as they are, and a cut never falls inside a
// well-formed sequence, so validating the pieces one by one gives what validating the whole line
// would.
class fd_line_source final : public line_source {
 public:
  static constexpr std::size_t min_piece_bytes = 4;  // the longest UTF-8 character
  static constexpr std::size_t read_bytes = 65536;   // one read() at most

  // `max_piece_bytes` is at least min_piece_bytes.
  fd_line_source(int fd, std::size_t max_piece_bytes);
  core::result<status> next(line_piece& piece, std::chrono::milliseconds wait) override;

  // What the buffer holds allocated: never more than max_piece_bytes + read_bytes.
  std::size_t buffer_capacity_bytes() const { return buffer_.capacity(); }

 private:
  // Moves the next whole line, or a piece of a line known to be too long, out of the buffer;
  // false when the buffer holds neither yet.
  bool take_piece(line_piece& piece);
  // At the end of input: the rest of the buffer is the last line (in pieces if too long).
  bool take_last(line_piece& piece);
  void emit(line_piece& piece, std::size_t bytes, std::size_t consumed, bool final);

  int fd_;
  std::size_t max_piece_bytes_;
  std::string buffer_;  // unread input from begin_ on; never grows past its reserved size
  std::size_t begin_{0};
  std::size_t scanned_{0};  // bytes from begin_ known to hold no '\n'
  bool eof_{false};
};

}  // namespace cwp::io
