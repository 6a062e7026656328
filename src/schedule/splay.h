#pragma once
// Random delay added to each tick so a fleet started together does not call AWS in one second.

#include <chrono>
#include <string_view>

#include "core/error.h"
#include "schedule/cron_expression.h"

namespace cwp::schedule {

// A closed range [min, max] from which the scheduler draws each tick's delay, uniformly and in
// whole milliseconds. Default-constructed it is zero: every tick fires at its scheduled time.
class splay {
 public:
  splay() = default;

  // "0-30s" is a range, "30s" means 0-30s, "" or "0" means none; units h, m, s, ms
  // ("1m30s", "500ms-2s"). A bare lower bound takes the upper bound's last unit: "5-30s" is
  // 5s-30s. max must be shorter than the schedule's min_interval(), so a delayed tick always
  // fires before the next one is due and ticks never reorder.
  static core::result<splay> parse(std::string_view text, const cron_expression& schedule);

  std::chrono::milliseconds min() const { return min_; }
  std::chrono::milliseconds max() const { return max_; }

 private:
  splay(std::chrono::milliseconds min, std::chrono::milliseconds max) : min_(min), max_(max) {}

  std::chrono::milliseconds min_{0};
  std::chrono::milliseconds max_{0};
};

}  // namespace cwp::schedule
