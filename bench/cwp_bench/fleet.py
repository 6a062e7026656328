"""Fleet figures. Ours come from bench/fleet_sim (C++, dev build): N hosts on the project's own
scheduler, stream precreator and publisher against an in-memory CloudWatch Logs that counts every
call per simulated second. The seed stack's (cron + three aws-cli calls) is modelled here."""

from __future__ import annotations

import collections
import json
import random
import subprocess
from pathlib import Path
from typing import Any

from .common import ROOT, log

# CloudWatch Logs quotas, "CloudWatch Logs quotas" page of the CloudWatch Logs User Guide
# (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html): PutLogEvents
# 5,000 transactions per second per account and region (adjustable; smaller in some regions),
# CreateLogStream 50 TPS per account and region.
PUT_QUOTA = 5000
CREATE_STREAM_QUOTA = 50
QUOTAS_URL = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html"
# The splay guidance keeps the PutLogEvents peak at or under half the quota (room for everything
# else the account sends, and for a quota lowered in some regions).
HEADROOM = 0.5

SIM_BUILD_HINT = "cmake --preset dev && cmake --build --preset dev --target fleet_sim"


def fleet_sim_binary() -> Path | None:
    """build/bench/fleet_sim of the dev build, built here when the dev build is configured."""
    binary = ROOT / "build" / "bench" / "fleet_sim"
    if (ROOT / "build" / "CMakeCache.txt").is_file():
        log("building bench/fleet_sim (dev build target)")
        r = subprocess.run(["nice", "-n", "5", "cmake", "--build", "--preset", "dev", "--target", "fleet_sim"],
                           cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            log("fleet_sim build failed: " + (r.stdout + r.stderr)[-500:])
    return binary if binary.is_file() else None


def _per_minute(series: list[int]) -> list[int]:
    return [sum(series[i:i + 60]) for i in range(0, len(series), 60)]


def simulate_day(binary: Path, n: int, splay: str, tmp: Path, sample: int = 100) -> dict[str, Any]:
    """One simulated day of n hosts (see bench/fleet_sim.cpp), with the figures the report uses;
    `sample` hosts deliver through the publisher at every tick."""
    out = tmp / f"fleet-{n}-{splay}.json"
    subprocess.run([str(binary), "day", str(n), splay, str(out), str(sample)], check=True, timeout=1800)
    d = json.loads(out.read_text())
    day = d["day_series"]
    creates = day["CreateLogStream"]
    per_min = _per_minute(creates)
    d["summary"] = {
        "put_peak": max(day["PutLogEvents"]),
        "put_total": sum(day["PutLogEvents"]),
        "create_peak_s": max(creates),
        "create_peak_min": max(per_min),
        "create_total": sum(creates),
        "create_midnight_minute": [per_min[0], per_min[1440]],  # 00:00 of day 2 and of day 3
        "group_creates": sum(day["CreateLogGroup"]),
        "cold_creates": sum(d["cold_start"]["CreateLogStream"]) + sum(d["cold_start"]["CreateLogGroup"]),
        "cold_put_peak": max(d["cold_start"]["PutLogEvents"]),
    }
    return d


def splay_table(binary: Path, tmp: Path) -> list[dict[str, Any]]:
    out = tmp / "splay-table.json"
    subprocess.run([str(binary), "splay-table", str(out)], check=True, timeout=1800)
    return json.loads(out.read_text())


def splay_guidance(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per fleet size, the smallest simulated splay whose PutLogEvents peak stays ≤ HEADROOM × quota."""
    by_n: dict[int, list[dict[str, Any]]] = collections.defaultdict(list)
    for r in rows:
        by_n[r["hosts"]].append(r)
    out = []
    for n, rs in sorted(by_n.items()):
        ok = [r for r in rs if r["put_peak"] <= HEADROOM * PUT_QUOTA]
        pick = ok[0] if ok else None  # rows come in increasing splay order
        out.append({"hosts": n, "splay": pick["splay"] if pick else None,
                    "put_peak": pick["put_peak"] if pick else min(r["put_peak"] for r in rs),
                    "no_splay_peak": rs[0]["put_peak"]})
    return out


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
