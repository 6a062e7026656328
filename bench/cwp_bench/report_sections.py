"""The report's fleet, calibration and jobs rows, the splay guidance and the chart links."""

from __future__ import annotations

from typing import Any, Callable

from .calibration import agreement
from .common import fmt_mib, fmt_time, percentile, verdict
from .fleet import HEADROOM, QUOTAS_URL
from .jobs import summarize

Row = Callable[..., None]

def fleet_rows(ctx: dict[str, Any], row: Row) -> None:
    fl = ctx["fleet"]
    n, put_q, create_q = fl["n"], fl["put_quota"], fl["create_quota"]
    quota_put = f"≤ {put_q:,} TPS (PutLogEvents, per account and region)"
    if fl.get("skipped"):
        row(f"Fleet of {n:,}", f"skipped: {fl['skipped']}", "—", "—", quota_put, "n/a")
        return
    days = fl.get("days") or {}
    seed_cell = _seed_fleet_cell(fl) if fl.get("seed") else "—"
    if "0" in days:
        s = days["0"]["summary"]
        row(f"Fleet of {n:,}, cold start (all at once on an existing group and stream): create calls",
            f"{s['cold_creates']} (PutLogEvents {s['cold_put_peak']:,} in that second)", "—", "—", "0",
            verdict(s["cold_creates"] == 0))
    for splay, d in days.items():
        s = d["summary"]
        label = "no splay" if splay == "0" else f"`CWP_SPLAY={splay}`"
        row(f"Fleet of {n:,} on `*/1`, {label}: PutLogEvents per second over a simulated day",
            f"peak {s['put_peak']:,}/s ({s['put_total']:,} calls)", seed_cell if splay == "0" else "—", "—",
            quota_put, verdict(s["put_peak"] <= put_q))
    for splay, d in days.items():
        s = d["summary"]
        label = "no splay" if splay == "0" else f"`CWP_SPLAY={splay}`"
        ok = s["create_peak_min"] <= 60 and s["create_peak_s"] <= create_q
        row(f"Fleet of {n:,}, {label}: CreateLogStream over the day (stream `heartbeat-{{date}}`)",
            f"peak {s['create_peak_min']} in one minute ({s['create_peak_min'] / 60:.2f}/s), "
            f"{s['create_peak_s']} in one second; 00:00 minute: {s['create_midnight_minute'][0]} "
            f"(next midnight {s['create_midnight_minute'][1]}; tomorrow's stream, drawn there by chance); "
            f"{s['create_total']:,} in the day; "
            f"CreateLogGroup {s['group_creates']}",
            "every minute: peak " + (f"{max(fl['seed']['CreateLogStream']):,}/s" if fl.get("seed") else "?"),
            "—", f"≤ 1/s in every minute, 00:00 included; ≤ {create_q} TPS (CreateLogStream)", verdict(ok))
    c = ctx.get("calibration") or {}
    if c.get("real") and c.get("predicted"):
        a = agreement(c)
        crossed = "across a faked midnight (" + " → ".join(a["streams"]) + ")" if a["midnight_crossed"] else (
            "no day roll-over" + ("" if c.get("faketime") else " (libfaketime not found)"))
        row(f"Calibration: {c['n']} real daemons (dev build, `{c['schedule']}`) vs fleet_sim, proxy → moto",
            f"{a['ticks_same']}/{a['ticks']} ticks with {c['n']} PutLogEvents events real and simulated; "
            f"creates real {a['creates_real']}, simulated {a['creates_pred']}; {crossed}",
            "—", "—", "counts agree", verdict(bool(a["ok"])))
    elif c.get("skipped") or c.get("error"):
        row("Calibration: real daemons vs fleet_sim", f"skipped: {c.get('skipped') or c.get('error')}", "—", "—",
            "counts agree", "n/a")


def jobs_rows(ctx: dict[str, Any], row: Row) -> None:
    j = ctx.get("jobs") or {}
    if not j or j.get("error"):
        if j.get("error"):
            row("Jobs", f"failed: {j['error'][:200]}", "—", "—", "—", "n/a")
        return
    e = j.get("every_second") or {}
    lat = e.get("latencies_ms") or []
    mins = (j.get("minutes") or {}).get("latencies_ms") or {}
    peers = "; ".join(f"{k} on `* * * * *`: {summarize(v)}" for k, v in mins.items()) or "not run (--quick)"
    peers += "".join(f"; {n}" for n in (j.get("minutes") or {}).get("notes", []))
    base = j.get("baseline_ms") or []
    job = j.get("job", "sh script")
    if lat:
        row(f"Jobs: tick → exec latency ({e['jobs']} jobs `@every 1s`, {e['seconds']} s; job: {job} via `sh -c`)",
            summarize(lat) + (f"; the job's own start (`sh -c` + the job, spawned directly) p50 "
                              f"{percentile(base, 50):.1f} ms" if base else ""),
            peers, "—", "p99 ≤ 10 ms (cron: up to a second)", verdict(percentile(lat, 99) <= 10))
    script = (j.get("every_second_script") or {}).get("latencies_ms") or []
    if script:
        sbase = j.get("script_baseline_ms") or []
        row("Jobs: tick → first timestamp of a shell-script job (`sh -c` → sh script → `date`; 5 jobs, 20 s)",
            summarize(script) + (f"; that job's own start, spawned directly, p50 {percentile(sbase, 50):.1f} ms"
                                 if sbase else ""),
            "—", "—", "—", "info: three programs start per run, 5 at once on 2 cores")
    if e.get("runs"):
        row("Jobs: our CPU per run, beyond the job's own", f"{fmt_time(e['cpu_per_run_s'])} ({e['runs']} runs)",
            "—", "—", "≤ 2 ms", verdict(e["cpu_per_run_s"] <= 0.002))
    idle = j.get("idle") or {}
    if idle.get("ours_kib") == idle.get("ours_kib"):
        row("Jobs: idle RSS of the scheduler with 20 jobs", fmt_mib(idle["ours_kib"]),
            f"yacron {fmt_mib(idle.get('yacron_kib', float('nan')))}", "—", "≤ 8 MiB",
            verdict(idle["ours_kib"] <= 8 * 1024))
    li = j.get("lines") or {}
    if li.get("skipped"):
        row("Jobs: output lines/s shipped from one job", f"skipped: {li['skipped']}", "—", "—",
            "≥ 200,000 lines/s", "skipped")
    elif li:
        row(f"Jobs: output lines/s shipped from one job (`exec`, {li['lines']:,} lines of 100 bytes, C stub)",
            f"{li['lines_per_s']:,.0f} lines/s ({li['shipped']:,} shipped in {fmt_time(li['wall_s'])} "
            f"in {li.get('requests', 0):,} PutLogEvents, exit {li['rc']})",
            "—", "—", "≥ 200,000 lines/s", verdict(li["lines_per_s"] >= 200_000 and li["shipped"] == li["lines"]))


def fleet_details(ctx: dict[str, Any]) -> list[str]:
    fl = ctx["fleet"]
    out = [f"- **Fleet simulation** ({fl['n']:,} hosts, `bench/fleet_sim`): quotas from the CloudWatch Logs "
           f"quotas page ({QUOTAS_URL}): PutLogEvents {fl['put_quota']:,} transactions per second per account "
           f"and region (adjustable; lower defaults in some regions), CreateLogStream {fl['create_quota']} TPS. "
           "Tomorrow's stream is created once per host per day at a random moment before 23:00 UTC, after a "
           "delivery, so without splay those calls land in the second the minute's heartbeats go out; the "
           "00:00 roll-over costs none. The seed stack's cells are a model (cron at second 0, three aws-cli "
           f"calls per run, over {fl['minutes']} minutes)."]
    for splay, d in (fl.get("days") or {}).items():
        if d.get("sample_deliveries"):
            out.append(f"  Splay {splay}: the {d['sample_hosts']} sample hosts delivered through the publisher at "
                       f"every tick made {d['sample_calls']:,} calls for {d['sample_deliveries']:,} deliveries "
                       "into an existing stream (one PutLogEvents each, which the other hosts count directly).")
    c = ctx.get("calibration") or {}
    if c.get("real"):
        out.append(f"- **Calibration** ({c['n']} daemons, launched in {c.get('launch_s', 0):.1f} s): calls at the "
                   f"proxy {dict(sorted(c['real']['ops'].items()))}; simulated "
                   f"{c['predicted']['totals']} (its window ends at the last tick compared); "
                   f"WARN/ERROR lines {c.get('warnings', 0)}"
                   + (f" ({c['warning_kinds']})" if c.get("warning_kinds") else "") + ".")
    return out


def guidance_section(ctx: dict[str, Any]) -> list[str]:
    g = (ctx.get("fleet") or {}).get("guidance")
    if not g:
        return []
    q = ctx["fleet"]["put_quota"]
    out = ["", "## Splay guidance", "",
           f"The smallest `CWP_SPLAY` whose simulated PutLogEvents peak (`*/1 * * * *`, hosts started at once, "
           f"bench/fleet_sim) stays at or under {HEADROOM:.0%} of the {q:,} TPS quota ({HEADROOM * q:,.0f}/s):",
           "", "| hosts | peak without splay | splay | peak with it |", "|---|---|---|---|"]
    for r in g:
        if r["splay"] == "0":
            splay = "none needed"
        elif r["splay"]:
            splay = f"`{r['splay']}`"
        else:
            splay = "more than 0-59s: raise the quota or use a longer schedule"
        out.append(f"| {r['hosts']:,} | {r['no_splay_peak']:,}/s | {splay} | {r['put_peak']:,}/s |")
    return out


def charts_section(ctx: dict[str, Any]) -> list[str]:
    charts = ctx.get("charts") or {}
    titles = {"fleet": "Fleet: PutLogEvents and CreateLogStream per second over a simulated day",
              "latency": "Jobs: tick → exec latency (CDF)", "throughput": "`send` throughput vs peers"}
    if not charts:
        return []
    out = ["", "## Charts", ""]
    for key, name in charts.items():
        out += [f"![{titles.get(key, key)}]({name})", ""]
    return out


def _seed_fleet_cell(fl: dict[str, Any]) -> str:
    s = fl["seed"]
    return (f"cron, no splay: PutLogEvents peak {max(s['PutLogEvents']):,}/s; "
            f"all 3 calls peak {max(s['all']):,}/s")
