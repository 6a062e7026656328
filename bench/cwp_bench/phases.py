"""The measured phases: each runs one comparison against moto or the stub and returns its figures."""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import SUPPORT, Stats, loadavg, log, proc_cpu_seconds, proc_status_kib
from .processes import Daemon, Env, RunResult, timed_run
from .stub import Stub


def phase_precision(binary: Path, envs: Env, stub: Stub, ticks: int) -> dict[str, Any]:
    """`@every 1s` against the stub: send delay per tick and the daemon's CPU per heartbeat."""
    log(f"daemon @every 1s against the stub: {ticks} ticks (precision + CPU per heartbeat)")
    stub.clear()
    load_before = loadavg()
    d = Daemon(binary, envs.ours(stub.endpoint, CWP_SCHEDULE="@every 1s"), "precision")
    res: dict[str, Any] = {"ticks": ticks, "load_before": load_before}
    try:
        if not d.wait_delivered(2, 30):
            raise RuntimeError("daemon did not deliver 2 heartbeats:\n" + d.tail())
        t_first, _, cpu_first = d.delivered[0]
        res["startup_to_first_s"] = t_first - d.started
        res["startup_cpu_s"] = cpu_first
        t0, _, cpu0 = d.delivered[1]
        ok = d.wait_delivered(2 + ticks, ticks * 1.5 + 30)
        t1, _, cpu1 = d.delivered[-1]
        n = len(d.delivered) - 2
        res["heartbeats"] = n
        res["complete"] = ok
        res["cpu_per_beat_s"] = (cpu1 - cpu0) / n if n > 0 else float("nan")
        res["window_s"] = t1 - t0
        res["rss_kib"] = proc_status_kib(d.pid, "VmRSS")
        res["hwm_kib"] = proc_status_kib(d.pid, "VmHWM")
        res["threads"] = len(os.listdir(f"/proc/{d.pid}/task"))
    finally:
        rc, stop_s = d.stop()
    res["exit_code"], res["stop_s"] = rc, stop_s
    res["warnings"] = d.warnings()
    res["load_after"] = loadavg()

    delays = []
    for r in stub.requests():
        if r["op"] != "PutLogEvents":
            continue
        try:
            events = json.loads(r["body"]).get("logEvents", [])
        except ValueError:
            continue
        for ev in events:
            try:
                seq = json.loads(ev["message"]).get("sequence", 0)
            except (ValueError, KeyError, AttributeError):
                seq = 0
            if seq >= 2:  # sequence 1 is the start-up heartbeat, stamped "now", not a tick
                delays.append((r["t"] - ev["timestamp"] / 1000.0) * 1000.0)
    res["delays_ms"] = delays
    return res


def phase_idle(binary: Path, envs: Env, stub: Stub, seconds: float, out: dict[str, Any]) -> None:
    """Default schedule (*/1 * * * *): RSS every second and CPU, extrapolated to a day."""
    log(f"idle daemon on the default schedule for {seconds:.0f} s (background)")
    d = Daemon(binary, envs.ours(stub.endpoint), "idle")
    samples: list[tuple[float, float, float]] = []  # t, rss KiB, cpu s
    try:
        if not d.wait_delivered(1, 30):
            out["error"] = "no start-up heartbeat:\n" + d.tail()
            return
        t_start = time.monotonic()
        while time.monotonic() - t_start < seconds and d.proc.poll() is None:
            samples.append((time.monotonic(), proc_status_kib(d.pid, "VmRSS"), proc_cpu_seconds(d.pid)))
            time.sleep(1.0 - (time.monotonic() - t_start) % 1.0)
        samples.append((time.monotonic(), proc_status_kib(d.pid, "VmRSS"), proc_cpu_seconds(d.pid)))
        out["hwm_kib"] = proc_status_kib(d.pid, "VmHWM")
        out["startup_cpu_s"] = d.delivered[0][2]
    finally:
        rc, _ = d.stop()
        out["exit_code"] = rc
    out["samples"] = samples
    out["heartbeats_after_start"] = max(0, len(d.delivered) - 1)
    if len(samples) >= 2:
        (ta, ra, ca), (tb, rb, cb) = samples[0], samples[-1]
        out["window_s"] = tb - ta
        out["cpu_s"] = cb - ca
        out["cpu_min_per_day"] = (cb - ca) / (tb - ta) * 86400 / 60
        out["rss_first_kib"], out["rss_last_kib"] = ra, rb
        out["rss_max_kib"] = max(s[1] for s in samples)
    out["warnings"] = d.warnings()


def phase_once_vs_seed(binary: Path, seed: Path, envs: Env, endpoint: str, label: str, n_ours: int,
                       n_seed: int, tmp: Path) -> dict[str, Any]:
    """`once` and the seed script alternately on one endpoint, one warm-up each first."""
    log(f"once vs seed on {label}: {n_ours} + {n_seed} runs, alternating (+1 warm-up each)")
    ours_argv = [str(binary), "once"]
    seed_argv = ["bash", str(seed)]
    ours: list[RunResult] = []
    seeds: list[RunResult] = []
    failures: list[str] = []
    warm = [timed_run(ours_argv, envs.ours(endpoint), tmp), timed_run(seed_argv, envs.seed(endpoint), tmp, 120)]
    for w, who in zip(warm, ("once", "seed")):
        if w.rc != 0:
            failures.append(f"warm-up {who} exit {w.rc}: {w.output[-400:]}")
    per_seed = max(1, round(n_ours / max(1, n_seed)))
    i_ours = i_seed = 0
    while i_ours < n_ours or i_seed < n_seed:
        for _ in range(per_seed):
            if i_ours < n_ours:
                ours.append(timed_run(ours_argv, envs.ours(endpoint), tmp))
                i_ours += 1
        if i_seed < n_seed:
            seeds.append(timed_run(seed_argv, envs.seed(endpoint), tmp, 120))
            i_seed += 1
    for r, who in [(r, "once") for r in ours] + [(r, "seed") for r in seeds]:
        if r.rc != 0:
            failures.append(f"{who} exit {r.rc}: {r.output[-400:]}")
    good_o = [r for r in ours if r.rc == 0]
    good_s = [r for r in seeds if r.rc == 0]
    return {
        "label": label,
        "ours_cpu": Stats(r.cpu for r in good_o),
        "seed_cpu": Stats(r.cpu for r in good_s),
        "ours_wall": Stats(r.wall for r in good_o),
        "seed_wall": Stats(r.wall for r in good_s),
        "ours_rss": Stats(r.maxrss_kib for r in good_o),
        "seed_rss": Stats(r.maxrss_kib for r in good_s),
        "failures": failures,
        "n_ours": len(ours),
        "n_seed": len(seeds),
    }


def phase_ca_diagnostic(binary: Path, envs: Env, endpoint: str, n: int, tmp: Path) -> dict[str, Any]:
    """`once` with the full CA bundle vs a one-certificate AWS_CA_BUNDLE, alternately (stub).

    The endpoint is plain http, so no certificate is ever used: the difference is what loading the
    system CA bundle at start-up costs."""
    bundle = next((Path(p) for p in ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt")
                   if Path(p).is_file()), None)
    if bundle is None:
        return {}
    text = bundle.read_text(errors="replace")
    end = text.find("-----END CERTIFICATE-----")
    start = text.rfind("-----BEGIN CERTIFICATE-----", 0, end)
    if start < 0 or end < 0:
        return {}
    one = tmp / "one-ca.pem"
    one.write_text(text[start:end] + "-----END CERTIFICATE-----\n")
    log(f"diagnostic: once with the full CA bundle vs a 1-certificate bundle ({n} + {n} runs, stub)")
    full, small = [], []
    for _ in range(n):
        full.append(timed_run([str(binary), "once"], envs.ours(endpoint), tmp))
        small.append(timed_run([str(binary), "once"], envs.ours(endpoint, AWS_CA_BUNDLE=str(one)), tmp))
    ok_f = [r for r in full if r.rc == 0]
    ok_s = [r for r in small if r.rc == 0]
    return {
        "bundle": str(bundle),
        "certs": text.count("-----BEGIN CERTIFICATE-----"),
        "full_cpu": Stats(r.cpu for r in ok_f), "one_cpu": Stats(r.cpu for r in ok_s),
        "full_rss": Stats(r.maxrss_kib for r in ok_f), "one_rss": Stats(r.maxrss_kib for r in ok_s),
    }


def phase_api_calls(binary: Path, seed: Path, envs: Env, moto_endpoint: str, beats: int,
                    tmp: Path) -> dict[str, Any]:
    """Count API calls at the fault proxy (in front of moto): daemon, seed, once."""
    sys.path.insert(0, str(SUPPORT))
    from fault_proxy import FaultProxy  # type: ignore

    log(f"API calls per heartbeat at the proxy: daemon ({beats + 2} heartbeats), seed (2 runs), once (1 run)")
    proxy = FaultProxy(moto_endpoint).start()
    res: dict[str, Any] = {}
    stamp = str(int(time.time()))
    try:
        # --- daemon, fresh log group so its start-up creates it
        d = Daemon(binary, envs.ours(proxy.url, CWP_SCHEDULE="@every 1s", CWP_LOG_GROUP=f"/bench/daemon-{stamp}"),
                   "api-calls")
        try:
            ok = d.wait_delivered(beats + 2, beats * 2 + 30)
        finally:
            d.stop()
        reqs = proxy.requests()
        proxy.clear_requests()
        ops = [r.get("operation") or "?" for r in reqs]
        puts = [i for i, o in enumerate(ops) if o == "PutLogEvents"]
        per_put = []
        for i in puts:
            try:
                per_put.append(len(json.loads(reqs[i]["body"]).get("logEvents", [])))
            except ValueError:
                per_put.append(0)
        res["daemon_complete"] = ok
        res["daemon_events_per_put"] = per_put
        res["daemon_startup_ops"] = collections.Counter(ops[: (puts[0] if puts else 0) + 1])
        if puts:
            first = reqs[puts[0]]
            res["daemon_startup_delivery_ms"] = (first["t"] + (first.get("elapsed_ms") or 0) / 1000 - reqs[0]["t"]) * 1000
        # Steady state starts after the 2nd PutLogEvents: the start-up heartbeat's delivery creates
        # the group and stream, and a tick that fires while it is in flight rides on the next call.
        if len(puts) >= 3:
            later = reqs[puts[1] + 1:]
            events = sum(per_put[2:])
            res["daemon_steady_calls"] = len(later)
            res["daemon_steady_beats"] = events
            res["daemon_steady_ops"] = collections.Counter(r.get("operation") or "?" for r in later)
            res["daemon_per_beat"] = len(later) / events if events else float("nan")
        # --- seed: the first run creates group and stream, the second is a steady-state minute
        seed_env = envs.seed(proxy.url, LOG_GROUP_NAME=f"/bench/seed-{stamp}")
        per_run = []
        for _ in range(2):
            r = timed_run(["bash", str(seed)], seed_env, tmp, 120)
            got = proxy.requests()
            proxy.clear_requests()
            per_run.append((r.rc, collections.Counter(x.get("operation") or "?" for x in got), len(got)))
        res["seed_runs"] = per_run
        # --- once
        r = timed_run([str(binary), "once"], envs.ours(proxy.url, CWP_LOG_GROUP=f"/bench/daemon-{stamp}"), tmp)
        got = proxy.requests()
        res["once_rc"] = r.rc
        res["once_ops"] = collections.Counter(x.get("operation") or "?" for x in got)
        res["once_calls"] = len(got)
    finally:
        proxy.stop()
    return res


def phase_docker(binary_env: Env, image: str, runs: int) -> dict[str, Any]:
    """Time from `docker run` to the first PutLogEvents at a stub on 127.0.0.1 (host network)."""
    res: dict[str, Any] = {"image": image}
    docker = shutil.which("docker")
    if not docker:
        res["skipped"] = "docker CLI not installed"
        return res
    if subprocess.run([docker, "info"], capture_output=True, timeout=60).returncode != 0:
        res["skipped"] = "`docker info` fails (no daemon)"
        return res
    insp = subprocess.run([docker, "image", "inspect", "-f", "{{.Size}}", image], capture_output=True, text=True,
                          timeout=60)
    if insp.returncode != 0:
        others = subprocess.run([docker, "images", "--format", "{{.Repository}}:{{.Tag}}", "cloudwatch-publisher"],
                                capture_output=True, text=True, timeout=60).stdout.split()
        res["skipped"] = f"no image {image}" + (f" (present: {', '.join(others)}; try --image)" if others else "")
        return res
    res["size_bytes"] = int(insp.stdout.strip())
    log(f"docker: {runs} × `docker run` → first event ({image})")
    stub = Stub()
    starts, stops, mem = [], [], None
    try:
        for i in range(runs):
            stub.clear()
            name = f"cwp-bench-{os.getpid()}-{i}"
            env = binary_env.ours(stub.endpoint)
            args = [docker, "run", "-d", "--rm", "--network", "host", "--name", name]
            for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL", "CWP_HOSTNAME",
                      "AWS_EC2_METADATA_DISABLED"):
                args += ["-e", f"{k}={env[k]}"]
            args.append(image)
            t0 = time.time()
            started = subprocess.run(args, capture_output=True, text=True, timeout=120)
            if started.returncode != 0:
                res["error"] = f"docker run failed: {started.stderr.strip()[-300:]}"
                break
            first = None
            deadline = time.monotonic() + 60
            while first is None and time.monotonic() < deadline:
                puts = [r for r in stub.requests() if r["op"] == "PutLogEvents"]
                if puts:
                    first = puts[0]["t"]
                else:
                    time.sleep(0.01)
            if first is None:
                logs = subprocess.run([docker, "logs", name], capture_output=True, text=True, timeout=30)
                res["error"] = "no PutLogEvents within 60 s: " + (logs.stdout + logs.stderr)[-400:]
                subprocess.run([docker, "rm", "-f", name], capture_output=True, timeout=60)
                break
            starts.append(first - t0)
            if mem is None:
                st = subprocess.run([docker, "stats", "--no-stream", "--format", "{{.MemUsage}}", name],
                                    capture_output=True, text=True, timeout=60)
                mem = st.stdout.strip() or None
            t_stop = time.monotonic()
            subprocess.run([docker, "stop", "-t", "10", name], capture_output=True, timeout=60)
            stops.append(time.monotonic() - t_stop)
    finally:
        stub.stop()
    res["start_to_first_event"] = Stats(starts)
    res["stop"] = Stats(stops)
    res["mem_usage"] = mem
    return res
