#include "io/line_source.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

namespace cwp::io {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

// The cut at or just before `limit` (text.size() > limit >= 4) that splits no well-formed UTF-8
// sequence: before the nearest byte that is not a continuation byte, looking back at most 3
// bytes (a sequence is at most 4 long). Every such byte starts a sequence or stands alone, so it
// is a boundary; when there is none, the continuation bytes at `limit` belong to no sequence that
// crosses it.
std::size_t character_boundary(std::string_view text, std::size_t limit) {
  for (std::size_t back = 0; back < fd_line_source::min_piece_bytes; ++back) {
    if (!is_continuation(text[limit - back])) return limit - back;
  }
  return limit;
}

core::error read_error(int err) {
  return {core::errc::io, "cannot read the input: " + core::describe_errno(err)};
}

}  // namespace

fd_line_source::fd_line_source(int fd, std::size_t max_piece_bytes)
    : fd_(fd), max_piece_bytes_(std::max(max_piece_bytes, min_piece_bytes)) {
  buffer_.reserve(max_piece_bytes_ + read_bytes);
}

void fd_line_source::emit(line_piece& piece, std::size_t bytes, std::size_t consumed, bool final) {
  piece.text.assign(buffer_, begin_, bytes);
  piece.final = final;
  begin_ += consumed;
  scanned_ = 0;
}

bool fd_line_source::take_piece(line_piece& piece) {
  const std::string_view unread = std::string_view(buffer_).substr(begin_);
  const auto newline = unread.find('\n', scanned_);
  if (newline != std::string_view::npos) {
    std::size_t end = newline;
    if (end > 0 && unread[end - 1] == '\r') --end;
    if (end <= max_piece_bytes_) {
      emit(piece, end, newline + 1, true);
    } else {
      const auto cut = character_boundary(unread, max_piece_bytes_);
      emit(piece, cut, cut, false);
    }
    return true;
  }
  scanned_ = unread.size();
  // Without a newline in sight the line is too long for one piece only when more than a piece
  // and a '\r' (which a '\n' might still follow) are buffered.
  if (unread.size() < max_piece_bytes_ + 2) return false;
  const auto cut = character_boundary(unread, max_piece_bytes_);
  emit(piece, cut, cut, false);
  return true;
}

bool fd_line_source::take_last(line_piece& piece) {
  std::string_view unread = std::string_view(buffer_).substr(begin_);
  if (unread.empty()) return false;
  if (unread.back() == '\r') unread.remove_suffix(1);
  if (unread.size() <= max_piece_bytes_) {
    emit(piece, unread.size(), buffer_.size() - begin_, true);
  } else {
    const auto cut = character_boundary(unread, max_piece_bytes_);
    emit(piece, cut, cut, false);
  }
  return true;
}

core::result<line_source::status> fd_line_source::next(line_piece& piece,
                                                       std::chrono::milliseconds wait) {
  piece.buffered = true;
  if (take_piece(piece)) return status::piece;
  piece.buffered = false;
  if (eof_) return take_last(piece) ? status::piece : status::end;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left.count())));
    if (ready < 0) {
      if (errno == EINTR) continue;
      return tl::unexpected(read_error(errno));
    }
    if (ready == 0) return status::idle;
    // Move the unread bytes to the front: the buffer keeps its size, reads fill what is free.
    buffer_.erase(0, begin_);
    begin_ = 0;
    const std::size_t old_size = buffer_.size();
    const std::size_t room = std::min(read_bytes, buffer_.capacity() - old_size);
    buffer_.resize(old_size + room);
    const ssize_t n = ::read(fd_, buffer_.data() + old_size, room);
    const int err = errno;
    buffer_.resize(old_size + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
    if (n < 0) {
      if (err == EINTR || err == EAGAIN) continue;
      return tl::unexpected(read_error(err));
    }
    if (n == 0) {
      eof_ = true;
      return take_last(piece) ? status::piece : status::end;
    }
    if (take_piece(piece)) return status::piece;
  }
}

}  // namespace cwp::io
