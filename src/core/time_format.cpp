#include "core/time_format.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <ctime>

namespace cwp::core {
namespace {

std::tm to_tm(sys_time t) {
  const std::time_t secs =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string strftime_utc(sys_time t, const char* fmt) {
  const std::tm tm = to_tm(t);
  std::array<char, 64> buf{};
  // Every caller passes one of the literal formats below.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  const std::size_t n = std::strftime(buf.data(), buf.size(), fmt, &tm);
#pragma GCC diagnostic pop
  return {buf.data(), n};
}

// Reads exactly `width` decimal digits at `pos`.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t width) {
  if (pos + width > s.size()) return std::nullopt;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;  // from_chars would accept a sign
  }
  int value = 0;
  const char* first = s.data() + pos;
  const char* last = first + width;
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || ptr != last) return std::nullopt;
  return value;
}

std::optional<sys_time> from_civil(int y, int mo, int d, int h, int mi, int s) {
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  // sys_time counts nanoseconds in 64 bits (years 1678-2261): refuse dates it cannot hold
  // rather than overflow. Nothing we parse (expirations, server dates) is outside 1970-2200.
  if (!ymd.ok() || y < 1970 || y > 2200 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{mi} + seconds{s};
}

}  // namespace

std::string format_iso8601_seconds(sys_time t) { return strftime_utc(t, "%Y-%m-%dT%H:%M:%SZ"); }

std::string format_iso8601_millis(sys_time t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      t - std::chrono::floor<std::chrono::seconds>(t))
                      .count();
  std::array<char, 8> frac{};
  const auto [ptr, ec] = std::to_chars(frac.data(), frac.data() + frac.size(), ms + 1000);
  (void)ec;
  // ms + 1000 renders as "1xyz": skip the leading 1 to get zero padding for free.
  return strftime_utc(t, "%Y-%m-%dT%H:%M:%S") + "." + std::string(frac.data() + 1, ptr) + "Z";
}

std::string format_amz_date(sys_time t) { return strftime_utc(t, "%Y%m%dT%H%M%SZ"); }

std::string format_date(sys_time t) { return strftime_utc(t, "%Y-%m-%d"); }

std::optional<sys_time> parse_iso8601(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  const auto y = digits(s, 0, 4);
  const auto mo = digits(s, 5, 2);
  const auto d = digits(s, 8, 2);
  const auto h = digits(s, 11, 2);
  const auto mi = digits(s, 14, 2);
  const auto sec = digits(s, 17, 2);
  if (!y || !mo || !d || !h || !mi || !sec) return std::nullopt;
  auto t = from_civil(*y, *mo, *d, *h, *mi, *sec);
  if (!t) return std::nullopt;
  std::size_t pos = 19;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    std::int64_t nanos = 0;
    std::int64_t scale = 100'000'000;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      nanos += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    *t += std::chrono::duration_cast<sys_time::duration>(std::chrono::nanoseconds{nanos});
  }
  const std::string_view zone = s.substr(pos);
  if (zone == "Z" || zone == "z") return t;
  if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    const auto zh = digits(zone, 1, 2);
    const auto zm = digits(zone, 4, 2);
    if (!zh || !zm || *zh > 23 || *zm > 59) return std::nullopt;
    const auto offset = std::chrono::hours{*zh} + std::chrono::minutes{*zm};
    return zone[0] == '+' ? *t - offset : *t + offset;
  }
  return std::nullopt;
}

std::optional<sys_time> parse_http_date(std::string_view s) {
  // "Sun, 30 Aug 2015 12:36:00 GMT"
  static constexpr std::array<std::string_view, 12> months = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s.substr(26) != "GMT") return std::nullopt;
  const auto d = digits(s, 5, 2);
  const std::string_view mon = s.substr(8, 3);
  const auto y = digits(s, 12, 4);
  const auto h = digits(s, 17, 2);
  const auto mi = digits(s, 20, 2);
  const auto sec = digits(s, 23, 2);
  if (!d || !y || !h || !mi || !sec) return std::nullopt;
  for (std::size_t i = 0; i < months.size(); ++i) {
    if (months.at(i) == mon) return from_civil(*y, static_cast<int>(i) + 1, *d, *h, *mi, *sec);
  }
  return std::nullopt;
}

std::int64_t to_epoch_millis(sys_time t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

sys_time from_epoch_millis(std::int64_t ms) {
  return sys_time{std::chrono::duration_cast<sys_time::duration>(std::chrono::milliseconds{ms})};
}

}  // namespace cwp::core
