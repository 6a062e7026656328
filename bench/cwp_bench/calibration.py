"""Calibration of the fleet simulation: N real daemons (the dev build) on this machine against moto
behind the counting fault proxy, started at once on an existing group and stream, across a faked
midnight (libfaketime, a fixed offset shared by every process), and the calls they made per kind
and per tick compared with what bench/fleet_sim predicts for the same start and window."""

from __future__ import annotations

import collections
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import ROOT, SUPPORT, log
from .processes import Daemon, Env, timed_run

FAKETIME_LIBS = [Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
                 Path("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1")]
SCHEDULE = "@every 5s"
EVERY_S = 5


def _faketime_lib() -> Path | None:
    return next((p for p in FAKETIME_LIBS if p.is_file()), None)


def _stream(day: dt.date) -> str:
    return f"heartbeat-{day.isoformat()}"


def phase_calibration(fleet_sim: Path | None, envs: Env, moto_endpoint: str, n: int, window_s: int,
                      tmp: Path) -> dict[str, Any]:
    """Runs n daemons for window_s seconds from a fake time a third of it before midnight UTC (at
    least 6 s); counts calls at the proxy."""
    binary = ROOT / "build" / "cloudwatch-publisher"
    res: dict[str, Any] = {"n": n, "window_s": window_s, "schedule": SCHEDULE}
    if not binary.is_file():
        res["skipped"] = "no dev build (build/cloudwatch-publisher)"
        return res
    if fleet_sim is None:
        res["skipped"] = "bench/fleet_sim not built"
        return res
    lib = _faketime_lib()
    sys.path.insert(0, str(SUPPORT))
    from fault_proxy import FaultProxy  # type: ignore

    # A fake clock 20 s before the previous midnight, as one offset for every process (the
    # start-at form would give each process its own start); in the past, so moto takes the events.
    now = time.time()
    midnight = dt.datetime.fromtimestamp(now, dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if lib is None:
        log("calibration: libfaketime not found (apt package faketime): no day roll-over, real clock")
        offset = 0
    else:
        fake_start = midnight.timestamp() - max(6, window_s // 3)
        offset = int(fake_start - now)
    res["faketime"] = lib is not None
    fake_now = dt.datetime.fromtimestamp(now + offset, dt.timezone.utc)
    days = [fake_now.date(), fake_now.date() + dt.timedelta(days=1)]
    group = f"/bench/calibration-{int(now)}"
    extra = {"CWP_LOG_GROUP": group, "CWP_SCHEDULE": SCHEDULE, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    if lib is not None:
        extra.update(LD_PRELOAD=str(lib), FAKETIME=f"{offset:+d}")

    proxy = FaultProxy(moto_endpoint).start()
    daemons: list[Daemon] = []
    try:
        # The group and both days' streams exist, as a fleet running for a day leaves them.
        for day in days:
            r = timed_run([str(binary), "once"], envs.ours(proxy.url, CWP_LOG_STREAM=_stream(day), **extra), tmp)
            if r.rc != 0:
                raise RuntimeError(f"once (set-up) exited {r.rc}: {r.output[-300:]}")
        proxy.clear_requests()
        log(f"calibration: {n} daemons ({SCHEDULE}) from fake {fake_now:%Y-%m-%d %H:%M:%S} UTC for {window_s} s")
        started = time.time()
        for i in range(n):
            daemons.append(Daemon(binary, envs.ours(proxy.url, CWP_HOSTNAME=f"calib-{i}", **extra), f"calib-{i}"))
        res["launch_s"] = time.time() - started
        ok = all(d.wait_delivered(1, 60) for d in daemons)
        res["all_started"] = ok
        all_up = time.time()
        time.sleep(max(0.0, window_s - (time.time() - started)))
        stop = time.time()
        # Whole ticks only: after every daemon delivered its start-up heartbeat, and 2 s before the stop.
        res["tick_range"] = (int(all_up + offset) + 1, int(stop + offset) - 2)
    finally:
        for d in daemons:
            if d.proc.poll() is None:
                d.proc.send_signal(15)
        for d in daemons:
            d.stop()
        reqs = proxy.requests()
        proxy.stop()
    warnings = [w for d in daemons for w in d.warnings()]
    res["warnings"] = len(warnings)
    res["warning_kinds"] = dict(collections.Counter(w[:120] for w in warnings).most_common(3))
    res["real"] = _count(reqs)
    res["predicted"] = _predict(fleet_sim, n, fake_now, res["tick_range"][1], days, tmp)
    return res


def _count(reqs: list[dict[str, Any]]) -> dict[str, Any]:
    ops = collections.Counter(r.get("operation") or "?" for r in reqs)
    per_tick: collections.Counter = collections.Counter()  # scheduled second → events
    for r in reqs:
        if r.get("operation") != "PutLogEvents":
            continue
        try:
            body = json.loads(r["body"])
        except ValueError:
            continue
        for ev in body.get("logEvents", []):
            if ev["timestamp"] % (EVERY_S * 1000) == 0:  # a tick (start-up heartbeats have their own time)
                per_tick[ev["timestamp"] // 1000] += 1
    return {"ops": dict(ops), "events_per_tick": dict(sorted(per_tick.items())),
            "streams": sorted({json.loads(r["body"]).get("logStreamName", "") for r in reqs
                               if r.get("operation") == "PutLogEvents"})}


def _predict(fleet_sim: Path, n: int, fake_now: dt.datetime, last: int, days: list[dt.date],
             tmp: Path) -> dict[str, Any]:
    """fleet_sim from the same start to the last tick compared."""
    start = int(fake_now.timestamp())
    seconds = max(1, last - start + 1)
    out = tmp / "calibration-sim.json"
    subprocess.run([str(fleet_sim), "window", str(n), SCHEDULE,
                    fake_now.strftime("%Y-%m-%dT%H:%M:%SZ"), str(seconds), str(out), *map(_stream, days)],
                   check=True, timeout=600)
    d = json.loads(out.read_text())
    puts = d["series"]["PutLogEvents"]
    return {"totals": d["totals"], "puts_per_tick": {start + s: v for s, v in enumerate(puts) if v and s > 0}}


def agreement(c: dict[str, Any]) -> dict[str, Any]:
    """Per kind: real vs predicted; per whole tick after the start-up: N events real and predicted."""
    real, pred = c["real"], c["predicted"]
    creates_real = real["ops"].get("CreateLogStream", 0) + real["ops"].get("CreateLogGroup", 0)
    creates_pred = pred["totals"]["CreateLogStream"] + pred["totals"]["CreateLogGroup"]
    lo, hi = c["tick_range"]
    ticks = {t: v for t, v in real["events_per_tick"].items() if lo <= t <= hi}
    pticks = {t: v for t, v in pred["puts_per_tick"].items() if lo <= t <= hi}
    common = sorted(set(ticks) | set(pticks))
    same = [t for t in common if ticks.get(t) == pticks.get(t) == c["n"]]
    return {"creates_real": creates_real, "creates_pred": creates_pred, "ticks": len(common), "ticks_same": len(same),
            "puts_real": real["ops"].get("PutLogEvents", 0), "puts_pred": pred["totals"]["PutLogEvents"],
            "midnight_crossed": len(real["streams"]) > 1, "streams": real["streams"],
            "ok": creates_real == creates_pred == 0 and common and len(same) == len(common)}
