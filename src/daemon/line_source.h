#pragma once
// Where `send` reads its lines: an interface, so the batching loop is tested with a scripted
// source and a fake clock, and a file-descriptor reader for stdin that waits with a timeout
// (the loop must be able to flush a half-full batch when a slow pipe goes quiet).

#include <chrono>
#include <string>

#include "core/error.h"

namespace cwp::daemon {

class line_source {
 public:
  enum class status {
    line,  // `line` holds the next line, without its line ending
    idle,  // nothing arrived within the wait
    end,   // end of input (a last line without a newline was returned before this)
  };

  line_source() = default;
  line_source(const line_source&) = delete;
  line_source& operator=(const line_source&) = delete;
  line_source(line_source&&) = delete;
  line_source& operator=(line_source&&) = delete;
  virtual ~line_source() = default;

  // Waits up to `wait` for the next line. Read errors fail with errc::io.
  virtual core::result<status> next(std::string& line, std::chrono::milliseconds wait) = 0;
};

// Lines of a file descriptor (not owned), split at '\n'; a '\r' before the '\n' is removed too.
class fd_line_source final : public line_source {
 public:
  explicit fd_line_source(int fd) : fd_(fd) {}
  core::result<status> next(std::string& line, std::chrono::milliseconds wait) override;

 private:
  // Moves the first complete line out of buffer_; false when there is none.
  bool take_line(std::string& line);

  int fd_;
  std::string buffer_;
  std::size_t scanned_{0};  // bytes of buffer_ known to hold no '\n'
  bool eof_{false};
};

}  // namespace cwp::daemon
