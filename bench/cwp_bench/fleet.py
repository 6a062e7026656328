"""Fleet simulation: pure computation of per-second API arrivals from the scheduler's semantics."""

from __future__ import annotations

import collections
import random


def simulate_fleet(n: int, minutes: int, splay_ms: tuple[int, int], delays_ms: list[float],
                   rng: random.Random) -> list[int]:
    """Per-second PutLogEvents arrivals of n daemons in steady state on `*/1 * * * *`.

    Scheduler semantics (src/schedule/scheduler.cpp): every tick is scheduled at second 0 of the
    minute whatever the start-up time; fire_at = scheduled + a uniform whole-millisecond splay draw
    per tick; the send then follows after the measured send delay (drawn from the precision phase).
    Start-up heartbeats happen at random start times before the window and are not counted."""
    counts = collections.Counter()
    lo, hi = splay_ms
    delays = delays_ms or [0.0]
    for _ in range(n):
        for m in range(minutes):
            t_ms = m * 60000 + (rng.randint(lo, hi) if hi > 0 else 0) + rng.choice(delays)
            counts[int(t_ms // 1000)] += 1
    horizon = max(minutes * 60, max(counts) + 1)
    return [counts.get(s, 0) for s in range(horizon)]


def simulate_seed_fleet(n: int, minutes: int, seed_walls: list[float], rng: random.Random) -> dict[str, list[int]]:
    """The seed stack: cron starts the script at second 0 of each minute on every host; its three aws
    processes run one after the other, each sending its request near the end of its ~1/3 of the
    script's wall time (Python start-up dominates). Wall times are drawn uniformly between the fastest
    and the slowest measured run (on moto)."""
    per_op: dict[str, collections.Counter] = {k: collections.Counter() for k in ("CreateLogGroup", "CreateLogStream",
                                                                               "PutLogEvents")}
    lo, hi = (min(seed_walls), max(seed_walls)) if seed_walls else (3.0, 3.0)
    for _ in range(n):
        for m in range(minutes):
            third = rng.uniform(lo, hi) / 3.0
            for k, op in enumerate(per_op):
                per_op[op][int(m * 60 + (k + 0.9) * third)] += 1
    horizon = minutes * 60 + 10
    out = {op: [c.get(s, 0) for s in range(horizon)] for op, c in per_op.items()}
    out["all"] = [sum(out[op][s] for op in per_op) for s in range(horizon)]
    return out
