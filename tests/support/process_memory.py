"""Peak RSS of a running child process, as the tests that bound our memory measure it."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path


def peak_rss_bytes(pid: int) -> int | None:
    """VmHWM of a running process: the peak RSS of its own image since exec. (The rusage of a
    child would count the pages of the forked test process before the exec as well.)"""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB$", status, re.M)
    return int(match.group(1)) * 1024 if match else None


def wait_measuring_peak(proc: subprocess.Popen, timeout_s: float) -> int:
    """Waits for `proc` to exit (at most `timeout_s`, then kills it and raises) and returns its
    peak RSS in bytes, read every 10 ms while it runs (a peak in its last 10 ms would be
    missed). Reads VmHWM until the process has exited, before reaping it (a zombie has none)."""
    peak, deadline = 0, time.monotonic() + timeout_s
    while os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            raise TimeoutError(f"pid {proc.pid} still running after {timeout_s} s")
        peak = max(peak, peak_rss_bytes(proc.pid) or 0)
        time.sleep(0.01)
    proc.wait()
    return peak
