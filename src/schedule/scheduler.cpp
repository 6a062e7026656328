#include "schedule/scheduler.h"

#include <algorithm>
#include <utility>

namespace cwp::schedule {

scheduler::scheduler(cron_expression schedule, splay delay, std::uint64_t seed)
    : schedule_(std::move(schedule)), splay_(delay), random_(seed) {}

scheduler::step scheduler::poll(core::sys_time wall, std::chrono::steady_clock::time_point mono) {
  const instant now{wall, mono};
  step out;
  out.jump = detect_jump(now);
  last_poll_ = now;

  if (!pending_ || out.jump == clock_jump::backward) {
    pending_ = plan_after(wall);
  } else if (wall - pending_->fire_at > late_tolerance) {
    // Keep the newest tick that is still within tolerance (it may fire below); every tick
    // before it is missed, the overdue pending one included.
    const tick next = plan_after(wall - late_tolerance);
    out.missed =
        static_cast<std::size_t>(schedule_.count_between(pending_->scheduled, next.scheduled));
    pending_ = next;
  }

  if (wall >= pending_->fire_at) {
    out.fire = pending_;
    pending_ = plan_after(pending_->scheduled);
  }

  const auto until_due = std::chrono::ceil<std::chrono::milliseconds>(pending_->fire_at - wall);
  out.wait = std::clamp(until_due, std::chrono::milliseconds{0}, max_wait);
  return out;
}

clock_jump scheduler::detect_jump(const instant& now) const {
  if (!last_poll_) {
    return clock_jump::none;
  }
  const auto drift = (now.wall - last_poll_->wall) - (now.mono - last_poll_->mono);
  if (drift > jump_threshold) {
    return clock_jump::forward;
  }
  if (drift < -jump_threshold) {
    return clock_jump::backward;
  }
  return clock_jump::none;
}

scheduler::tick scheduler::plan_after(core::sys_time t) {
  const core::sys_time scheduled = schedule_.next_after(t);
  std::uniform_int_distribution<std::chrono::milliseconds::rep> draw(splay_.min().count(),
                                                                     splay_.max().count());
  return {scheduled, scheduled + std::chrono::milliseconds{draw(random_)}};
}

}  // namespace cwp::schedule
