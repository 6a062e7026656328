"""The Markdown report (bench/RESULTS.md) built from every phase's figures."""

from __future__ import annotations

import collections
import statistics
from typing import Any

from pathlib import Path

from .common import fmt_mib, fmt_stats, fmt_time, percentile, ratio, verdict
from .report_sections import charts_section, fleet_details, fleet_rows, guidance_section, jobs_rows
from . import send_moto
from .throughput import report_section


def build_report(ctx: dict[str, Any]) -> str:
    m = ctx["machine"]
    rows: list[list[str]] = []
    notes: list[str] = []

    def row(*cells: str) -> None:
        rows.append(list(cells))

    # ---- one heartbeat: once vs seed
    for cmp in ctx["comparisons"]:
        lab = cmp["label"]
        oc, sc = cmp["ours_cpu"], cmp["seed_cpu"]
        ok_cpu = None if oc.n == 0 else oc.median < 0.005
        ok_ratio = None if (oc.n == 0 or sc.n == 0) else sc.median / oc.median >= 500
        cpu_verdict = verdict(None if ok_cpu is None else (ok_cpu and bool(ok_ratio)))
        if ok_cpu is not None and ok_ratio is not None and ok_cpu != ok_ratio:
            cpu_verdict = f"{verdict(ok_cpu)} (< 5 ms) / {verdict(ok_ratio)} (≥ 500×)"
        row(f"One heartbeat, CPU user+sys ({lab})", fmt_stats(oc, fmt_time), fmt_stats(sc, fmt_time),
            ratio(sc.median, oc.median), "< 5 ms and ≥ 500× lower", cpu_verdict)
        row(f"One heartbeat, wall time ({lab})", fmt_stats(cmp["ours_wall"], fmt_time),
            fmt_stats(cmp["seed_wall"], fmt_time), ratio(cmp["seed_wall"].median, cmp["ours_wall"].median), "—",
            "info")
        orss = cmp["ours_rss"]
        row(f"One heartbeat, peak RSS ({lab})", fmt_stats(orss, fmt_mib), fmt_stats(cmp["seed_rss"], fmt_mib),
            ratio(cmp["seed_rss"].median, orss.median), "< 8 MiB (every run)",
            verdict(None if orss.n == 0 else orss.max < 8 * 1024))
        if cmp["failures"]:
            notes.append(f"{lab}: {len(cmp['failures'])} failed run(s), excluded: " + " | ".join(
                f.replace("\n", " ")[:300] for f in cmp["failures"][:3]))

    ca = ctx.get("ca_diag") or {}
    if ca and ca["full_cpu"].n and ca["one_cpu"].n:
        row(f"Diagnostic: `once` (stub) with the system CA bundle ({ca['certs']} certs) → with a 1-cert "
            f"`AWS_CA_BUNDLE`",
            f"CPU {fmt_time(ca['full_cpu'].median)} → {fmt_time(ca['one_cpu'].median)}; peak RSS "
            f"{fmt_mib(ca['full_rss'].median)} → {fmt_mib(ca['one_rss'].median)} (n={ca['one_cpu'].n} each)",
            "—", "—", "—", "info: start-up cost of loading the CA bundle")

    # ---- daemon CPU per heartbeat
    p = ctx.get("precision") or {}
    if "cpu_per_beat_s" in p:
        seed_beat = _seed_beat_cpu(ctx, "stub")
        row("Daemon: CPU per heartbeat (`@every 1s`, stub)",
            f"{fmt_time(p['cpu_per_beat_s'])} ({p['heartbeats']} heartbeats in {p['window_s']:.0f} s)",
            f"{fmt_time(seed_beat)} (one script run, stub; median above)", ratio(seed_beat, p["cpu_per_beat_s"]),
            "< 1 ms", verdict(p["cpu_per_beat_s"] < 0.001))
    elif p.get("error"):
        row("Daemon: CPU per heartbeat", f"failed: {p['error'][:200]}", "—", "—", "< 1 ms", "n/a")

    # ---- API calls
    a = ctx.get("api") or {}
    if a:
        seed_steady = a["seed_runs"][-1][2] if a.get("seed_runs") else float("nan")
        per_beat = a.get("daemon_per_beat", float("nan"))
        row("API calls per heartbeat, steady state (proxy → moto)",
            f"{per_beat:.2f} ({a.get('daemon_steady_calls', 0)} calls / {a.get('daemon_steady_beats', 0)} heartbeats)",
            f"{seed_steady}", ratio(seed_steady, per_beat), "daemon 1.0 (≤ 1: one call per heartbeat at most); seed 3",
            verdict(per_beat <= 1.0 and seed_steady == 3))
        row("API calls of one `once` (proxy → moto)", f"{a.get('once_calls')} ({_ops(a.get('once_ops'))})",
            "3 (+1 GetCallerIdentity at container start)", "—", "—", "info")

    # ---- idle
    idle = ctx.get("idle") or {}
    if "cpu_min_per_day" in idle:
        beats = idle.get("heartbeats_after_start", 0)
        row("Idle RSS, default schedule `*/1 * * * *`",
            f"first {fmt_mib(idle['rss_first_kib'])}, last {fmt_mib(idle['rss_last_kib'])}, "
            f"max {fmt_mib(idle['rss_max_kib'])} over {idle['window_s']:.0f} s ({beats} scheduled heartbeat{'' if beats == 1 else 's'})",
            "cron + bash idle; aws-cli ≈ " + _seed_rss_hint(ctx), "—", "< 6 MiB, flat",
            verdict(idle["rss_max_kib"] < 6 * 1024 and idle["rss_last_kib"] <= idle["rss_first_kib"] + 64))
        seed_day = _seed_cpu_per_day(ctx)
        row("Idle CPU per day, default schedule (extrapolated)",
            f"{idle['cpu_min_per_day']:.3f} CPU-min/day ({fmt_time(idle['cpu_s'])} in {idle['window_s']:.0f} s)",
            seed_day, ratio(_seed_cpu_min_day(ctx), idle["cpu_min_per_day"]), "< 0.1 CPU-min/day",
            verdict(idle["cpu_min_per_day"] < 0.1))
    elif idle.get("error"):
        row("Idle RSS / CPU", f"failed: {idle['error'][:200]}", "—", "—", "< 6 MiB; < 0.1 CPU-min/day", "n/a")

    # ---- precision
    delays = p.get("delays_ms") or []
    if delays:
        row(f"Scheduling precision, send delay after the scheduled second ({len(delays)} ticks)",
            f"p50 {percentile(delays, 50):.1f} ms, p95 {percentile(delays, 95):.1f} ms, "
            f"p99 {percentile(delays, 99):.1f} ms, max {max(delays):.1f} ms",
            "cron: whole-minute; + aws-cli start-up ≈ 1 s before the first call", "—", "p99 < 50 ms",
            verdict(percentile(delays, 99) < 50))

    # ---- docker
    dk = ctx.get("docker") or {}
    if dk.get("skipped"):
        row("Docker: `docker run` → first event stored; image size", f"skipped: {dk['skipped']}", "—", "—", "—",
            "n/a")
    elif dk:
        st = dk.get("start_to_first_event")
        cell = fmt_stats(st, fmt_time) if st and st.n else f"failed: {dk.get('error', '?')[:200]}"
        row(f"Docker: `docker run` → first PutLogEvents ({dk['image']})", cell, "—", "—", "—", "info")
        row("Docker: image size", f"{dk['size_bytes'] / 1e6:.2f} MB" + (f"; container memory {dk['mem_usage']}"
                                                                       if dk.get("mem_usage") else ""),
            "Alpine 3.19 + bash + aws-cli + dcron (not built here)", "—", "—", "info")
        if dk.get("error"):
            notes.append("docker: " + dk["error"])

    fleet_rows(ctx, row)
    jobs_rows(ctx, row)

    # ---- assemble
    head = ["Measurement", "cloudwatch-publisher", "seed (bash + aws-cli)", "ratio", "target", "result"]
    md = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    md += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    table = "\n".join(md)

    out = [
        "# cloudwatch-publisher benchmark results",
        "",
        f"Generated by `bench/run{' --quick' if ctx['quick'] else ''}` on {m['date']} "
        f"in {ctx['runtime_s'] / 60:.1f} min. Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, "
        f"kernel {m['kernel']}, {m['os']}. Load average at start {ctx['load_start']}, at end {ctx['load_end']}"
        + (" — the machine was shared with other builds while this ran, so timings carry that noise."
           if ctx.get("busy") else "."),
        "",
        f"Binary: `{ctx['binary_rel']}` ({ctx['binary_size'] / 1e6:.2f} MB, {ctx['link']}), commit "
        f"{ctx['commit']}. Seed: `{ctx['seed_rel']}` with aws-cli {ctx['versions'].get('awscli')} "
        f"(`{Path(ctx['aws_bin']).name}` of this interpreter); moto {ctx['versions'].get('moto')}; Python {m['python']}.",
        "",
        table,
        "",
        "Cells: median (min–max), n = runs. Ratio = seed ÷ ours. *moto* = the moto server (what a real "
        "endpoint costs a client, plus moto's own latency); *stub* = a Python HTTP stub that answers at "
        "once (pure client cost). Each pair of sides ran alternately on the same endpoint.",
        "",
        "## Details",
        "",
    ]
    out += _details(ctx)
    out += report_section(ctx.get("throughput"))
    out += send_moto.report_section(ctx.get("send_moto"))
    out += guidance_section(ctx)
    out += charts_section(ctx)
    if notes:
        out += ["", "## Notes from this run", ""] + [f"- {n}" for n in notes]
    out += ["", "## How each figure is measured", "", *METHOD_NOTES]
    return "\n".join(out) + "\n"


def _ops(counter: collections.Counter | None) -> str:
    if not counter:
        return "-"
    return ", ".join(f"{k} {v}" for k, v in counter.items())


def _seed_beat_cpu(ctx: dict[str, Any], label: str) -> float:
    for c in ctx.get("comparisons") or []:
        if c["label"] == label and c["seed_cpu"].n:
            return c["seed_cpu"].median
    return float("nan")


def _seed_rss_hint(ctx: dict[str, Any]) -> str:
    cmps = ctx.get("comparisons") or []
    vals = [c["seed_rss"].median for c in cmps if c["seed_rss"].n]
    return f"{fmt_mib(max(vals))} peak each minute" if vals else "n/a"


def _seed_cpu_min_day(ctx: dict[str, Any]) -> float:
    cmps = [c for c in ctx.get("comparisons") or [] if c["seed_cpu"].n]
    if not cmps:
        return float("nan")
    return cmps[0]["seed_cpu"].median * 1440 / 60  # one run per minute


def _seed_cpu_per_day(ctx: dict[str, Any]) -> str:
    v = _seed_cpu_min_day(ctx)
    return "n/a" if v != v else f"≈ {v:,.0f} CPU-min/day (1 run/min × {1440} runs)"


def _quota_verdict(peak: int) -> str:
    if peak <= 1500:
        return "**PASS** (both quotas)"
    if peak <= 5000:
        return "**MISS** at 1,500 / PASS at 5,000"
    return "**MISS** (both quotas)"


def _details(ctx: dict[str, Any]) -> list[str]:
    out: list[str] = []
    p = ctx.get("precision") or {}
    if p:
        d = p.get("delays_ms") or []
        out.append(
            f"- **Daemon, `@every 1s` against the stub**: start-up to first delivered heartbeat "
            f"{fmt_time(p.get('startup_to_first_s', float('nan')))}, start-up CPU "
            f"{fmt_time(p.get('startup_cpu_s', float('nan')))} (includes loading the CA bundle); "
            f"RSS after {p.get('heartbeats', 0)} heartbeats {fmt_mib(p.get('rss_kib', float('nan')))} "
            f"(high-water {fmt_mib(p.get('hwm_kib', float('nan')))}), {p.get('threads', '?')} threads; "
            f"SIGTERM → exit {p.get('exit_code')} in {fmt_time(p.get('stop_s', float('nan')))}. "
            f"Load average {p.get('load_before')} → {p.get('load_after')}."
        )
        if d:
            buckets = collections.Counter(
                "< 1 ms" if x < 1 else "1–5 ms" if x < 5 else "5–20 ms" if x < 20 else "20–50 ms" if x < 50 else
                "≥ 50 ms" for x in d)
            order = ["< 1 ms", "1–5 ms", "5–20 ms", "20–50 ms", "≥ 50 ms"]
            out.append("  Send delay histogram: " + ", ".join(f"{k}: {buckets[k]}" for k in order if buckets[k])
                       + f"; min {min(d):.2f} ms, mean {statistics.mean(d):.2f} ms.")
        if p.get("warnings"):
            out.append(f"  Daemon WARN/ERROR lines: {len(p['warnings'])} (first: {p['warnings'][0][:160]})")
    idle = ctx.get("idle") or {}
    if idle.get("samples"):
        rss = [s[1] for s in idle["samples"]]
        out.append(
            f"- **Idle daemon, `*/1 * * * *`**: {len(rss)} RSS samples (1/s): min {fmt_mib(min(rss))}, max "
            f"{fmt_mib(max(rss))}, high-water {fmt_mib(idle.get('hwm_kib', float('nan')))}; start-up CPU "
            f"{fmt_time(idle.get('startup_cpu_s', float('nan')))} (excluded from the per-day figure, which counts "
            f"the scheduler's wake-ups and the heartbeats inside the window). Ran in parallel with the "
            f"once-vs-seed, API-call and docker phases (its own CPU clock is unaffected; its wake-ups may be late).")
    a = ctx.get("api") or {}
    if a:
        out.append(
            f"- **API calls (fault proxy → moto, fresh log groups)**: daemon start-up {_ops(a.get('daemon_startup_ops'))} "
            f"(start-up delivery {a.get('daemon_startup_delivery_ms', float('nan')):.0f} ms); events per PutLogEvents "
            f"{a.get('daemon_events_per_put')}; steady state (after the 2nd PutLogEvents) "
            f"{_ops(a.get('daemon_steady_ops'))} for {a.get('daemon_steady_beats')} heartbeats. "
            + "Seed runs: " + "; ".join(f"run {i + 1}: {n} calls ({_ops(c)}), exit {rc}"
                                      for i, (rc, c, n) in enumerate(a.get("seed_runs", [])))
            + f". `once`: {_ops(a.get('once_ops'))}."
        )
    dk = ctx.get("docker") or {}
    if dk and not dk.get("skipped") and dk.get("stop") and dk["stop"].n:
        out.append(f"- **Docker**: `docker stop` (SIGTERM) took {fmt_stats(dk['stop'], fmt_time)}.")
    out += fleet_details(ctx)
    if ctx.get("prebuilt"):
        out.append(f"- **Build**: binary given with --binary ({ctx['link']}), not built by this run.")
    else:
        out.append(f"- **Build**: {ctx['link']}; build step took {fmt_time(ctx['build_s'])} in this run "
                   f"(MinSizeRel, -DCWP_STATIC=ON, nice -n 10).")
    return out


METHOD_NOTES = [
    "- *One heartbeat*: `cloudwatch-publisher once` (validate, GetCallerIdentity, CreateLogGroup, "
    "CreateLogStream, PutLogEvents; the last three answer ResourceAlreadyExists after the warm-up on moto) vs "
    "one run of the seed's `publish-log.sh` (3 aws-cli processes). Run under `bench/rusage.c`: CPU = user+sys "
    "and peak RSS from `wait4` rusage of the process and all descendants it waited for (peak RSS = the largest "
    "single process, as `/usr/bin/time`); wall = fork to reap.",
    "- *Daemon CPU per heartbeat*: the process CPU clock (`clock_gettime` on the process's CPU-time clock, ns, "
    "threads that exited included) read when the 2nd and the last `Successfully published` lines arrive, "
    "divided by the heartbeats in between. It includes the loop's wake-ups between ticks.",
    "- *Scheduling precision*: the stub stamps each PutLogEvents when its request line arrives; the event's "
    "`timestamp` is the tick's scheduled time. Delay = arrival − scheduled (same host clock). The start-up "
    "heartbeat (sequence 1) is excluded. Includes signing, the HTTP write and the stub's parse (< 1 ms).",
    "- *API calls*: every request through `tests/support/fault_proxy.py` (in-process) to moto; steady state = "
    "requests after the daemon's 2nd PutLogEvents ÷ heartbeats they delivered. The seed's steady state is its "
    "second run (its first creates the group and stream).",
    "- *Idle*: default schedule against the stub; VmRSS from `/proc/<pid>/status` each second; CPU clock "
    "from after the start-up heartbeat to the end, scaled to 24 h.",
    "- *Docker*: `docker run -d --network host` of the image with the stub's endpoint; time from invoking "
    "`docker run` to the stub receiving the first PutLogEvents (the start-up heartbeat).",
    "- *Fleet*: `bench/fleet_sim` (C++, a dev-build target): every host is the project's own scheduler, stream "
    "precreator and publisher (put first, create on ResourceNotFound) over the real CloudWatch Logs client, "
    "whose requests go to an in-memory service that counts each call in its simulated second. All hosts start "
    "at once at 12:00 UTC on an existing group and stream (the cold start), then run through the next whole "
    "day and its midnight. The seed stack's row is a model (cron at second 0, three aws-cli calls).",
    "- *Calibration*: N dev-build daemons on this machine, `@every 5s`, against moto behind the counting "
    "proxy, started at once on an existing group with today's and tomorrow's streams, under libfaketime "
    "(one clock offset for every process) a third of the window (≥ 6 s) before midnight; the PutLogEvents "
    "events per scheduled tick and the create calls are compared with `fleet_sim window` for the same start.",
    "- *Jobs*: the same job for every scheduler, run through `sh -c` as cron runs it: bench/stamp.c (static), "
    "whose first instruction reads the wall clock and appends it to a file; latency = that "
    "timestamp − the scheduled time. The info row runs a shell script (`date +%s.%N >> FILE`) instead. Our CPU per run: the daemon's CPU clock (children excluded) over the "
    "runs of 5 `@every 1s` jobs. Idle RSS: VmRSS 6 s (--quick: 3 s) after start with 20 jobs not due. Lines/s: `exec` of "
    "`yes … | head -n N` (100-byte lines) into bench/throughput_stub.c (the C stub of the `send` table, which "
    "counts the events it receives; the Python stub would be the bottleneck), wall time until `exec` exits "
    "(everything shipped).",
]

