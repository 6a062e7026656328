#pragma once
// The daemon loop's timing decisions: which tick to run now and how long to wait.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>

#include "core/clock.h"
#include "schedule/cron_expression.h"
#include "schedule/splay.h"

namespace cwp::schedule {

// How the wall clock moved between two polls, measured against the monotonic clock.
enum class clock_jump {
  none,
  // Wall time ran ahead of monotonic time: the clock was set forward, or the host was
  // suspended (the monotonic clock stops during suspend).
  forward,
  // The clock was set back.
  backward,
};

// Decides when ticks run. It never reads a clock and never sleeps: the loop hands each poll()
// the wall and monotonic times and gets back what to run now and how long to wait.
//
// Contract, following "a heartbeat is a true statement that we were alive at time T":
// - The first poll plans the first tick strictly after its wall time; a start-up heartbeat is
//   the caller's own.
// - A tick is reported by the first poll at or after its fire_at (scheduled + splay draw). Its
//   event timestamp is `scheduled`, always a real schedule time, so the date comes from it.
// - A loop that sleeps `wait` after each poll wakes at the next fire_at (millisecond
//   precision); `wait` never exceeds max_wait. A jump is seen at the next poll, so the loop
//   either wakes when the clock is set (a timerfd with TFD_TIMER_CANCEL_ON_SET) or polls more
//   often (daemon/run_loop.h, recheck_interval).
// - A tick more than late_tolerance past its fire_at (process paused, host suspended, clock set
//   forward) is not run late, and neither is any later tick that is also too late: one step
//   reports how many were `missed`, for one WARN line, and nothing is replayed.
// - A clock set back re-plans from the new wall time rather than waiting for the planned tick;
//   ticks may then repeat scheduled times already run before the jump.
// - Overlap is the caller's decision: if its previous run is still in flight when a tick is
//   reported, it skips that tick and logs it; the scheduler moves on either way.
// Not thread-safe: owned by the one loop that polls it.
class scheduler {
 public:
  static constexpr std::chrono::milliseconds max_wait{60'000};
  // How late a tick may still run: covers a slow loop, not a pause.
  static constexpr std::chrono::seconds late_tolerance{2};
  // Wall vs monotonic drift between polls beyond which the wall clock is said to have jumped.
  static constexpr std::chrono::seconds jump_threshold{2};

  struct tick {
    core::sys_time scheduled;
    core::sys_time fire_at;  // scheduled + this tick's splay draw
  };

  struct step {
    std::optional<tick> fire;           // due now: run it, stamped with fire->scheduled
    std::chrono::milliseconds wait{0};  // poll again after this long
    std::size_t missed{0};              // ticks skipped as too late by this poll
    clock_jump jump{clock_jump::none};
  };

  // `seed` drives the splay draws, so tests (and a fleet's hosts) get distinct, repeatable ones.
  scheduler(cron_expression schedule, splay delay, std::uint64_t seed);

  step poll(core::sys_time wall, std::chrono::steady_clock::time_point mono);

  // The next tick to run; nullopt before the first poll.
  const std::optional<tick>& pending() const { return pending_; }

 private:
  struct instant {
    core::sys_time wall;
    std::chrono::steady_clock::time_point mono;
  };

  clock_jump detect_jump(const instant& now) const;
  // The first tick scheduled strictly after `t`, with its splay drawn.
  tick plan_after(core::sys_time t);

  cron_expression schedule_;
  splay splay_;
  std::mt19937_64 random_;
  std::optional<tick> pending_;
  std::optional<instant> last_poll_;
};

}  // namespace cwp::schedule
