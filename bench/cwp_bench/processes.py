"""The processes under test: their isolated environments, single timed runs (under
bench/rusage.c) and the daemon with its output parsed as it runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from .common import BENCH, REGION, SUCCESS_LINE, parent_death_signal, proc_cpu_seconds


class Env:
    """Environments for our binary and for the seed script, isolated from the caller's AWS setup."""

    def __init__(self, tmp: Path, aws_bin: str) -> None:
        self.tmp = tmp
        self.aws_bin = aws_bin
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AWS_", "CWP_")) and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
        }
        base.update(
            AWS_ACCESS_KEY_ID="AKIDBENCHBENCHBENCH1",
            AWS_SECRET_ACCESS_KEY="bench-secret-key-not-a-real-one",
            AWS_REGION=REGION,
            AWS_CONFIG_FILE=str(tmp / "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(tmp / "no-aws-credentials"),
            AWS_EC2_METADATA_DISABLED="true",
            AWS_PAGER="",
            NO_PROXY="127.0.0.1,localhost",
            HOSTNAME="bench",
        )
        self.base = base

    def ours(self, endpoint: str, **extra: str) -> dict[str, str]:
        env = dict(self.base, AWS_ENDPOINT_URL=endpoint, CWP_HOSTNAME="bench")
        env.update(extra)
        return env

    def seed(self, endpoint: str, **extra: str) -> dict[str, str]:
        env = dict(self.base, SEED_ENDPOINT_URL=endpoint, AWS_BIN=self.aws_bin)
        env.update(extra)
        return env


class RunResult:
    def __init__(self, rc: int, wall: float, cpu: float, maxrss_kib: float, output: str) -> None:
        self.rc, self.wall, self.cpu, self.maxrss_kib, self.output = rc, wall, cpu, maxrss_kib, output


RUSAGE_HELPER: Path | None = None  # compiled bench/rusage.c, see use_rusage_helper()


def use_rusage_helper(helper: Path | None) -> None:
    """From now on, timed_run measures through `helper` (None: from Python, without peak RSS)."""
    global RUSAGE_HELPER
    RUSAGE_HELPER = helper


def compile_rusage_helper(tmp: Path) -> Path | None:
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        return None
    out = tmp / "rusage"
    r = subprocess.run([cc, "-O2", "-o", str(out), str(BENCH / "rusage.c")], capture_output=True, text=True)
    return out if r.returncode == 0 else None


def timed_run(argv: list[str], env: dict[str, str], tmp: Path, timeout: float = 60) -> RunResult:
    """Run to completion under bench/rusage.c: wall from fork to reap, CPU (user+sys) and peak RSS
    from wait4's rusage, which covers the command and every descendant it waited for (for the seed:
    bash, date and the three aws processes); ru_maxrss is the largest single process."""
    out_path = tmp / "last-run.out"
    res_path = tmp / "last-run.rusage"
    res_path.unlink(missing_ok=True)
    with open(out_path, "wb") as out:
        if RUSAGE_HELPER is not None:
            try:
                subprocess.run([str(RUSAGE_HELPER), str(res_path), *argv], env=env, stdin=subprocess.DEVNULL,
                               stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
            except subprocess.TimeoutExpired:
                pass
            output = out_path.read_text(errors="replace")
            try:
                rc, wall_ns, user_us, sys_us, maxrss = (int(x) for x in res_path.read_text().split())
            except (OSError, ValueError):
                return RunResult(-1, float("nan"), float("nan"), float("nan"), output + "\n(timed out)")
            return RunResult(rc, wall_ns / 1e9, (user_us + sys_us) / 1e6, float(maxrss), output)
        # No C compiler: wait4 from Python. CPU and wall are right; ru_maxrss is not (a child forked
        # from this interpreter keeps its RSS high-water mark across exec), so RSS is reported n/a.
        start = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid == proc.pid:
                break
            if time.monotonic() - start > timeout:
                proc.kill()
            time.sleep(0.0005 if time.monotonic() - start < 0.5 else 0.01)
        wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return RunResult(proc.returncode, wall, ru.ru_utime + ru.ru_stime, float("nan"),
                     out_path.read_text(errors="replace"))


class Daemon:
    """`cloudwatch-publisher run` with its stdout parsed line by line."""

    def __init__(self, binary: Path, env: dict[str, str], name: str) -> None:
        self.name = name
        self.started = time.time()
        self.proc = subprocess.Popen(
            [str(binary), "run"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=parent_death_signal,
        )
        self.pid = self.proc.pid
        self.lines: list[tuple[float, dict[str, Any] | str]] = []
        # (arrival time of the log line, sequence, process CPU seconds right then)
        self.delivered: list[tuple[float, int, float]] = []
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, name=f"read-{name}", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            t = time.time()
            text = raw.decode("utf-8", "replace").rstrip("\n")
            try:
                doc: dict[str, Any] | str = json.loads(text)
            except ValueError:
                doc = text
            cpu = float("nan")
            if isinstance(doc, dict) and doc.get("message") == SUCCESS_LINE:
                try:
                    cpu = proc_cpu_seconds(self.pid)
                except OSError:
                    pass
            with self.cond:
                self.lines.append((t, doc))
                if isinstance(doc, dict) and doc.get("message") == SUCCESS_LINE:
                    self.delivered.append((t, int(doc.get("sequence", len(self.delivered) + 1)), cpu))
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_delivered(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.delivered) < count:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    return len(self.delivered) >= count
                self.cond.wait(min(left, 0.5))
        return True

    def warnings(self) -> list[str]:
        with self.cond:
            return [
                d.get("message", "")
                for _, d in self.lines
                if isinstance(d, dict) and d.get("level") in ("WARN", "WARNING", "ERROR")
            ]

    def stop(self, timeout: float = 15) -> tuple[int | None, float]:
        t = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(2)
        return self.proc.returncode, time.monotonic() - t

    def tail(self, n: int = 8) -> str:
        with self.cond:
            return "\n".join(json.dumps(d) if isinstance(d, dict) else d for _, d in self.lines[-n:])
