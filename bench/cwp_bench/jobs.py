"""Scheduled jobs side by side: `run` with a crontab, yacron (PyPI) and Debian's cron (`cron -f`),
on equivalent schedules running the same job, which appends its start time to a file: bench/stamp.c
(static; a shell script running `date` when it cannot be built), and for us also the script.

- tick → exec latency: the job's first timestamp minus the scheduled time (whole second for
  our `@every 1s`, whole minute for `* * * * *`, the finest schedule yacron and cron have);
- our CPU per run: the daemon's own CPU clock (its children's CPU is not in it) over the runs;
- idle RSS with 20 jobs that are not due;
- output lines/s shipped from one job: `exec` of a job printing many lines, into the stub."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import BENCH, log, parent_death_signal, percentile, proc_cpu_seconds, proc_status_kib
from .processes import Daemon, Env
from .stub import Stub
from .throughput import FastStub, compile_c, compile_stub

STAMP = "#!/bin/sh\n# the first thing the job does: its start time, appended\nexec date +%s.%N >> \"$1\"\n"
CRON_D = Path("/etc/cron.d/cwp-bench")


def _yacron() -> str | None:
    """yacron of this interpreter (installed by prepare.py), else the one on PATH."""
    mine = Path(sys.executable).parent / "yacron"
    return str(mine) if mine.is_file() else shutil.which("yacron")


def _stamp_script(tmp: Path) -> Path:
    p = tmp / "stamp.sh"
    p.write_text(STAMP)
    p.chmod(0o755)
    return p


def _stamp_program(tmp: Path) -> Path | None:
    """bench/stamp.c, static if the C library allows it (None: no C compiler)."""
    return compile_c(tmp, "stamp", BENCH / "stamp.c", ["-static"]) or compile_c(tmp, "stamp", BENCH / "stamp.c", [])


def _latencies_ms(files: list[Path], period_s: int) -> list[float]:
    out = []
    for f in files:
        if not f.is_file():
            continue
        for line in f.read_text().split():
            try:
                t = float(line)
            except ValueError:
                continue
            out.append((t - (t // period_s) * period_s) * 1000)
    return out


def _job_start_baseline(stamp: Path, tmp: Path, runs: int) -> list[float]:
    """What the job itself costs before it writes its time: `sh -c STAMP FILE` spawned from here,
    spawn → timestamp (ms). Every scheduler pays this; the latencies include it."""
    out = tmp / f"baseline-{stamp.name}"
    lat = []
    for _ in range(runs):
        t = time.time()
        subprocess.run(["/bin/sh", "-c", f"{stamp} {out}"], check=True)
        lat.append((float(out.read_text().split()[-1]) - t) * 1000)
    return lat


def _crontab(stamp: Path, outs: list[Path], schedule: str, user: str = "") -> str:
    return "".join(f"{schedule} {user}{stamp} {o}\n" for o in outs)


def _spawn(argv: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with open(log_path, "wb") as out:
        return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                preexec_fn=parent_death_signal, start_new_session=True)


def _stop(p: subprocess.Popen | None) -> None:
    if p is None or p.poll() is not None:
        return
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(15)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def _ours_every_second(binary: Path, envs: Env, stub: Stub, stamp: Path, tmp: Path, jobs: int,
                       seconds: int) -> dict[str, Any]:
    """`@every 1s` jobs, no heartbeat: latency per run and our CPU per run."""
    d = tmp / f"ours-1s-{stamp.name}"
    d.mkdir()
    outs = [d / f"j{i}" for i in range(jobs)]
    tab = d / "crontab"
    tab.write_text(_crontab(stamp, outs, "@every 1s"))
    daemon = Daemon(binary, envs.ours(stub.endpoint, CWP_CRONTAB=str(tab), CWP_SCHEDULE="off"), "jobs-1s")
    try:
        time.sleep(2)  # start-up and the first runs
        cpu0, runs0 = proc_cpu_seconds(daemon.pid), sum(len(o.read_text().split()) for o in outs if o.is_file())
        time.sleep(seconds)
        cpu1, runs1 = proc_cpu_seconds(daemon.pid), sum(len(o.read_text().split()) for o in outs if o.is_file())
    finally:
        daemon.stop()
    runs = runs1 - runs0
    return {"jobs": jobs, "seconds": seconds, "latencies_ms": _latencies_ms(outs, 1), "runs": runs,
            "cpu_per_run_s": (cpu1 - cpu0) / runs if runs else float("nan")}


def _side_by_side_minutes(binary: Path, envs: Env, stub: Stub, stamp: Path, tmp: Path, jobs: int,
                          minutes: int) -> dict[str, Any]:
    """The three schedulers at once on `* * * * *`, each with its own `jobs` jobs."""
    d = tmp / "minutes"
    d.mkdir()
    outs = {k: [d / f"{k}-{i}" for i in range(jobs)] for k in ("ours", "yacron", "cron")}
    res: dict[str, Any] = {"jobs": jobs, "minutes": minutes, "notes": []}
    procs: dict[str, subprocess.Popen | None] = {}
    tab = d / "crontab"
    tab.write_text(_crontab(stamp, outs["ours"], "* * * * *"))
    procs["ours"] = _spawn([str(binary), "run"], envs.ours(stub.endpoint, CWP_CRONTAB=str(tab), CWP_SCHEDULE="off"),
                           d / "ours.log")
    yacron = _yacron()
    if yacron:
        conf = d / "yacron.yaml"
        conf.write_text("jobs:\n" + "".join(
            f"  - name: j{i}\n    command: {stamp} {o}\n    schedule: \"* * * * *\"\n"
            for i, o in enumerate(outs["yacron"])))
        procs["yacron"] = _spawn([yacron, "-c", str(conf)], dict(os.environ), d / "yacron.log")
    else:
        res["notes"].append("yacron: not installed (pip install yacron)")
    procs["cron"] = _start_cron(stamp, outs["cron"], d, res)
    try:
        # `minutes` minute boundaries from the next one that is at least 5 s away, plus the runs' time.
        now = time.time()
        first = (now // 60 + 1) * 60
        if first - now < 5:
            first += 60
        time.sleep(first + 60 * (minutes - 1) + 4 - now)
    finally:
        for p in procs.values():
            _stop(p)
        if CRON_D.exists() and procs.get("cron") is not None:
            CRON_D.unlink()
    res["latencies_ms"] = {k: _latencies_ms(v, 60) for k, v in outs.items() if procs.get(k) is not None}
    return res


def _start_cron(stamp: Path, outs: list[Path], d: Path, res: dict[str, Any]) -> subprocess.Popen | None:
    """Debian's cron in the foreground with an /etc/cron.d file; needs root and no other cron."""
    cron = shutil.which("cron") or ("/usr/sbin/cron" if Path("/usr/sbin/cron").exists() else None)
    why = None
    if cron is None:
        why = "not installed (apt package cron)"
    elif os.geteuid() != 0:
        why = "needs root (it reads /etc/cron.d and switches to the crontab's user)"
    elif _cron_running():
        why = "another cron daemon runs here"
    elif CRON_D.exists():
        why = f"{CRON_D} exists (not ours)"
    if why:
        res["notes"].append(f"cron: {why}")
        return None
    CRON_D.write_text("SHELL=/bin/sh\n" + _crontab(stamp, outs, "* * * * *", "root "))
    CRON_D.chmod(0o644)
    return _spawn([cron, "-f", "-L", "0"], {"PATH": "/usr/sbin:/usr/bin:/bin"}, d / "cron.log")


def _cron_running() -> bool:
    """A live cron behind /run/crond.pid (a cron stopped by SIGTERM leaves a stale one behind)."""
    try:
        pid = int(Path("/run/crond.pid").read_text().split()[0])
        return Path(f"/proc/{pid}/comm").read_text().strip() == "cron"
    except (OSError, ValueError, IndexError):
        return False


def _idle_rss(binary: Path, envs: Env, stub: Stub, stamp: Path, tmp: Path, quick: bool) -> dict[str, Any]:
    """RSS of each scheduler with 20 jobs that are not due (yearly at 00:00 on 1 January)."""
    d = tmp / "idle20"
    d.mkdir()
    outs = [d / f"j{i}" for i in range(20)]
    tab = d / "crontab"
    tab.write_text(_crontab(stamp, outs, "0 0 1 1 *"))
    res: dict[str, Any] = {}
    p = _spawn([str(binary), "run"], envs.ours(stub.endpoint, CWP_CRONTAB=str(tab)), d / "ours.log")
    yacron = _yacron()
    y = None
    if yacron:
        conf = d / "yacron.yaml"
        conf.write_text("jobs:\n" + "".join(
            f"  - name: j{i}\n    command: {stamp} {o}\n    schedule: \"0 0 1 1 *\"\n"
            for i, o in enumerate(outs)))
        y = _spawn([yacron, "-c", str(conf)], dict(os.environ), d / "yacron.log")
    try:
        time.sleep(3 if quick else 6)
        res["ours_kib"] = proc_status_kib(p.pid, "VmRSS")
        res["ours_hwm_kib"] = proc_status_kib(p.pid, "VmHWM")
        if y is not None:
            res["yacron_kib"] = proc_status_kib(y.pid, "VmRSS")
    finally:
        _stop(p)
        _stop(y)
    return res


def _lines_per_second(binary: Path, envs: Env, tmp: Path, lines: int) -> dict[str, Any]:
    """`exec` of one job printing `lines` 100-byte lines into bench/throughput_stub.c (the Python
    stub, which keeps every body, would be the bottleneck); wall time until exec exits (all
    shipped). Shipped = the events the stub counted, the run's result event excluded."""
    exe = compile_stub(tmp)
    if exe is None:
        return {"lines": lines, "skipped": "no C compiler or OpenSSL headers for bench/throughput_stub.c"}
    stub = FastStub(exe, tmp, None)
    text = "x" * 99
    try:
        env = envs.ours(stub.endpoint, CWP_JOB_MAX_OUTPUT="4GiB")
        t = time.monotonic()
        r = subprocess.run([str(binary), "exec", "--job", "lines", "--", "sh", "-c", f"yes {text} | head -n {lines}"],
                           env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=600)
        wall = time.monotonic() - t
    finally:
        counts = stub.stop()
    shipped = max(counts.get("events", 0) - 1, 0)
    return {"lines": lines, "rc": r.returncode, "wall_s": wall, "shipped": shipped,
            "requests": counts.get("requests", 0),
            "lines_per_s": shipped / wall if wall > 0 else float("nan"),
            "stderr": r.stderr.decode("utf-8", "replace")[-300:] if r.returncode else ""}


def phase_jobs(binary: Path, envs: Env, stub: Stub, tmp: Path, quick: bool) -> dict[str, Any]:
    d = tmp / "jobs"
    d.mkdir()
    script = _stamp_script(d)
    stamp = _stamp_program(d) or script
    runs = 5 if quick else 20
    res: dict[str, Any] = {"quick": quick, "job": "bench/stamp.c" if stamp != script else "sh script (no C compiler)",
                           "baseline_ms": _job_start_baseline(stamp, d, runs)}
    log("jobs: @every 1s runs (latency, CPU per run)")
    res["every_second"] = _ours_every_second(binary, envs, stub, stamp, d, 5, 3 if quick else 20)
    if stamp != script and not quick:
        log("jobs: @every 1s runs of the shell script (sh, then date)")
        res["script_baseline_ms"] = _job_start_baseline(script, d, runs)
        res["every_second_script"] = _ours_every_second(binary, envs, stub, script, d, 5, 20)
    log("jobs: idle RSS with 20 jobs")
    res["idle"] = _idle_rss(binary, envs, stub, stamp, d, quick)
    log("jobs: output lines/s of one job (exec → stub)")
    res["lines"] = _lines_per_second(binary, envs, d, 100_000 if quick else 2_000_000)
    if not quick:
        log("jobs: ours, yacron and cron side by side on * * * * * (2 minutes)")
        res["minutes"] = _side_by_side_minutes(binary, envs, stub, stamp, d, 10, 2)
    return res


def summarize(lat: list[float]) -> str:
    if not lat:
        return "no runs"
    return (f"p50 {percentile(lat, 50):.1f} ms, p99 {percentile(lat, 99):.1f} ms, max {max(lat):.1f} ms "
            f"(n={len(lat)})")
