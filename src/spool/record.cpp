#include "spool/record.h"

#include <optional>

#include "spool/crc32c.h"

namespace cwp::spool {
namespace {

enum : unsigned char { type_event = 1, type_removal = 2 };

void put_u32(std::string& out, std::uint32_t v) {
  for (unsigned i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8U * i)) & 0xFFU));
}

void put_u64(std::string& out, std::uint64_t v) {
  for (unsigned i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8U * i)) & 0xFFU));
}

// Frames `body` (which starts at body_start in `out`) with the header in front of it.
void frame(std::string& out, std::size_t body_start) {
  const std::string_view body(out.data() + body_start, out.size() - body_start);
  std::string header;
  put_u32(header, record_magic);
  put_u32(header, static_cast<std::uint32_t>(body.size()));
  put_u32(header, crc32c(body));
  out.insert(body_start, header);
}

class reader {
 public:
  explicit reader(std::string_view bytes) : bytes_(bytes) {}

  std::optional<std::uint64_t> uint(std::size_t width) {
    if (bytes_.size() - pos_ < width) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) {
      v |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8U * i);
    }
    pos_ += width;
    return v;
  }

  std::optional<std::string> text() {
    const auto n = uint(4);
    if (!n || bytes_.size() - pos_ < *n) return std::nullopt;
    std::string s(bytes_.substr(pos_, *n));
    pos_ += *n;
    return s;
  }

  bool at_end() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_{0};
};

std::optional<record> decode_body(std::string_view body) {
  reader in(body);
  const auto type = in.uint(1);
  if (type == type_event) {
    event_record r;
    const auto id = in.uint(8);
    const auto ts = in.uint(8);
    auto stream = in.text();
    auto message = in.text();
    if (!id || !ts || !stream || !message || !in.at_end()) return std::nullopt;
    r.id = *id;
    r.timestamp_ms = static_cast<std::int64_t>(*ts);
    r.stream = std::move(*stream);
    r.message = std::move(*message);
    return r;
  }
  if (type == type_removal) {
    removal_record r;
    const auto n = in.uint(4);
    if (!n || *n > body.size() / 8) return std::nullopt;
    r.ids.reserve(*n);
    for (std::uint64_t i = 0; i < *n; ++i) {
      const auto id = in.uint(8);
      if (!id) return std::nullopt;
      r.ids.push_back(*id);
    }
    if (!in.at_end()) return std::nullopt;
    return r;
  }
  return std::nullopt;
}

// The header of the record at `pos`: its body length when the magic is right and the body is
// within `bytes`, and whether the body matches its checksum.
struct frame_info {
  std::optional<std::size_t> length;
  bool crc_ok{false};
};

frame_info read_frame(std::string_view bytes, std::size_t pos) {
  reader header(bytes.substr(pos));
  const auto magic = header.uint(4);
  const auto length = header.uint(4);
  const auto crc = header.uint(4);
  if (!magic || !length || !crc || *magic != record_magic ||
      bytes.size() - pos - record_header_bytes < *length) {
    return {};
  }
  const auto body = bytes.substr(pos + record_header_bytes, *length);
  return {static_cast<std::size_t>(*length), crc32c(body) == *crc};
}

bool is_valid_record(std::string_view bytes, std::size_t pos) {
  const auto f = read_frame(bytes, pos);
  return f.length && f.crc_ok &&
         decode_body(bytes.substr(pos + record_header_bytes, *f.length)).has_value();
}

}  // namespace

void encode(const event_record& r, std::string& out) {
  const std::size_t start = out.size();
  out.push_back(static_cast<char>(type_event));
  put_u64(out, r.id);
  put_u64(out, static_cast<std::uint64_t>(r.timestamp_ms));
  put_u32(out, static_cast<std::uint32_t>(r.stream.size()));
  out += r.stream;
  put_u32(out, static_cast<std::uint32_t>(r.message.size()));
  out += r.message;
  frame(out, start);
}

void encode(const removal_record& r, std::string& out) {
  const std::size_t start = out.size();
  out.push_back(static_cast<char>(type_removal));
  put_u32(out, static_cast<std::uint32_t>(r.ids.size()));
  for (const auto id : r.ids) put_u64(out, id);
  frame(out, start);
}

decoded_segment decode_segment(std::string_view bytes) {
  decoded_segment out;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const auto f = read_frame(bytes, pos);
    if (f.length && f.crc_ok) {
      if (auto r = decode_body(bytes.substr(pos + record_header_bytes, *f.length))) {
        out.records.push_back(std::move(*r));
        pos += record_header_bytes + *f.length;
        continue;
      }
    }
    // A crash leaves at most the last record incomplete. A record whose frame is whole but whose
    // body is wrong, followed by a valid record, was damaged in place: skip it alone.
    if (!f.length) break;
    const std::size_t next = pos + record_header_bytes + *f.length;
    if (next >= bytes.size() || !is_valid_record(bytes, next)) break;
    out.damaged.push_back({pos, next - pos});
    pos = next;
  }
  out.valid_bytes = pos;
  out.torn = pos < bytes.size();
  return out;
}

}  // namespace cwp::spool
