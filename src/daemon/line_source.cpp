#include "daemon/line_source.h"

#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace cwp::daemon {

bool fd_line_source::take_line(std::string& line) {
  const auto newline = buffer_.find('\n', scanned_);
  if (newline == std::string::npos) {
    scanned_ = buffer_.size();
    return false;
  }
  std::size_t end = newline;
  if (end > 0 && buffer_[end - 1] == '\r') --end;
  line.assign(buffer_, 0, end);
  buffer_.erase(0, newline + 1);
  scanned_ = 0;
  return true;
}

core::result<line_source::status> fd_line_source::next(std::string& line,
                                                       std::chrono::milliseconds wait) {
  if (take_line(line)) return status::line;
  if (eof_) return status::end;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::array<char, 65536> chunk{};
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return core::fail(core::errc::io,
                        std::string("cannot read the input: ") + std::strerror(errno));
    }
    if (ready == 0) return status::idle;
    const ssize_t n = ::read(fd_, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return core::fail(core::errc::io,
                        std::string("cannot read the input: ") + std::strerror(errno));
    }
    if (n == 0) {
      eof_ = true;
      if (buffer_.empty()) return status::end;
      // The last line had no newline.
      if (buffer_.back() == '\r') buffer_.pop_back();
      line = std::move(buffer_);
      buffer_.clear();
      scanned_ = 0;
      return status::line;
    }
    buffer_.append(chunk.data(), static_cast<std::size_t>(n));
    if (take_line(line)) return status::line;
  }
}

}  // namespace cwp::daemon
