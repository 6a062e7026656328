"""Shared by every part of bench/run: paths, the log line, statistics, formatting, /proc readings."""

from __future__ import annotations

import http.client
import json
import math
import os
import signal
import statistics
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Iterable


BENCH = Path(__file__).resolve().parent.parent  # bench/
ROOT = BENCH.parent
SUPPORT = ROOT / "tests" / "support"
REGION = "ap-southeast-2"  # the daemon's default region (PutLogEvents quota 1,500 TPS there)
SUCCESS_LINE = "Successfully published log to CloudWatch Logs"
T0 = time.monotonic()


def log(msg: str) -> None:
    sys.stderr.write(f"[bench {time.monotonic() - T0:6.1f}s] {msg}\n")
    sys.stderr.flush()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (conservative: p99 of 100 samples is the 99th smallest)."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(1, math.ceil(p / 100.0 * len(s)))
    return s[k - 1]


class Stats:
    def __init__(self, values: Iterable[float]):
        self.values = list(values)
        self.n = len(self.values)
        self.median = statistics.median(self.values) if self.values else float("nan")
        self.min = min(self.values) if self.values else float("nan")
        self.max = max(self.values) if self.values else float("nan")


def fmt_time(seconds: float) -> str:
    if seconds != seconds:
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.01:
        return f"{seconds * 1000:.0f} ms"
    if seconds >= 0.001:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.2f} ms"


def fmt_mib(kib: float) -> str:
    return "n/a" if kib != kib else f"{kib / 1024:.1f} MiB"


def fmt_stats(st: Stats, fmt: Callable[[float], str]) -> str:
    if st.n == 0:
        return "no successful run"
    return f"{fmt(st.median)} ({fmt(st.min)}–{fmt(st.max)}), n={st.n}"


def ratio(a: float, b: float) -> str:
    if not (a == a and b == b) or b <= 0:
        return "n/a"
    r = a / b
    return f"{r:,.0f}×" if r >= 100 else f"{r:.1f}×"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**PASS**" if ok else "**MISS**")


def proc_cpu_seconds(pid: int) -> float:
    """CPU time (user+sys) of a whole process, threads that already exited included.

    Reads the process's CPU-time clock (CPUCLOCK_SCHED, nanosecond resolution); falls back to
    /proc/<pid>/stat utime+stime (clock ticks) if the kernel refuses."""
    try:
        return time.clock_gettime(((~pid) << 3) | 2)
    except OSError:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status_kib(pid: int, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def parent_death_signal() -> None:  # child side, between fork and exec
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def http_json(endpoint: str, method: str, path: str, timeout: float = 10) -> Any:
    u = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request(method, path)
        resp = conn.getresponse()
        body = resp.read()
        return json.loads(body) if body else None
    finally:
        conn.close()
