// libFuzzer target: a splay setting against a schedule. The input's first line is the schedule
// (a fixed @every 1m when it does not parse), the rest the splay ("0-30s", "5-30s", "30s").
// Parsing must not crash; an accepted splay is an ordered range that stays below the
// schedule's shortest interval, so a delayed tick never runs after the next one is due.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "schedule/cron_expression.h"
#include "schedule/splay.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto newline = text.find('\n');
  const std::string_view schedule_text = text.substr(0, newline);
  const std::string_view splay_text =
      newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);

  auto schedule = cwp::schedule::cron_expression::parse(schedule_text);
  if (!schedule) schedule = cwp::schedule::cron_expression::parse("@every 1m");
  if (!schedule) std::abort();

  const auto splay = cwp::schedule::splay::parse(splay_text, *schedule);
  if (!splay) {
    if (splay.error().message.empty()) std::abort();
    return 0;
  }
  if (splay->min() < std::chrono::milliseconds{0} || splay->min() > splay->max()) std::abort();
  if (splay_text.empty() && splay->max() != std::chrono::milliseconds{0}) std::abort();
  if (splay->max() >= schedule->min_interval()) std::abort();
  return 0;
}
