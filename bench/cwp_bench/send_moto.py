"""`send` through moto (issue 16, item 4): the throughput phase's 100-byte lines, into this run's
moto server instead of the stub, next to the boto3 loop on the same input. moto is a Python
server that parses and stores every event, so it is the bottleneck here: the row shows what a
client does against an endpoint that costs something, and that every event arrives (each tool's
stream is read back and counted)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .common import log
from .throughput import BOTO3_LOOP, GROUP, REGION, client_env, measure_client, write_lines


def _client(endpoint: str) -> Any:
    import boto3  # the bench's own requirement (bench/requirements.txt)

    return boto3.client("logs", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="AKIDBENCH",
                        aws_secret_access_key="bench-secret")


def _count_events(client: Any, stream: str) -> int:
    """Every event moto holds for `stream` of GROUP, page by page."""
    count, token = 0, None
    while True:
        kwargs = {"logGroupName": GROUP, "logStreamName": stream, "startFromHead": True, "limit": 10_000}
        if token:
            kwargs["nextToken"] = token
        page = client.get_log_events(**kwargs)
        count += len(page["events"])
        if not page["events"] or page.get("nextForwardToken") == token:
            return count
        token = page.get("nextForwardToken")


def phase_send_moto(binary: Path, moto_endpoint: str, quick: bool, tmp: Path, rusage: Path | None) -> dict[str, Any]:
    """Both tools in turn into moto; each row with the events read back from its stream."""
    lines = 10_000 if quick else 200_000
    path = write_lines(tmp / "moto-lines-100.txt", 100, lines)
    client = _client(moto_endpoint)
    try:
        client.create_log_group(logGroupName=GROUP)
    except client.exceptions.ResourceAlreadyExistsException:
        pass
    client.create_log_stream(logGroupName=GROUP, logStreamName="boto3")
    env = client_env(tmp, AWS_ENDPOINT_URL=moto_endpoint)
    tools = [("cloudwatch-publisher send", "send", [str(binary), "send", "--log-group", GROUP, "--stream", "send"]),
             ("boto3 loop", "boto3", [sys.executable, "-c", BOTO3_LOOP, moto_endpoint])]
    rows = []
    for tool, stream, argv in tools:
        log(f"send through moto: {tool}, {lines:,} lines")
        m = measure_client(rusage, argv, env, path, tmp, timeout=900)
        rows.append({"tool": tool, "lines": lines, "bytes": lines * 100, "read_back": _count_events(client, stream), **m})
    return {"rows": rows}


def report_section(t: dict[str, Any] | None) -> list[str]:
    """The Markdown section of bench/RESULTS.md: one row per tool."""
    if not t:
        return []
    out = ["", "## `send` through moto", ""]
    if "skipped" in t:
        return out + [f"Skipped: {t['skipped']}."]
    out += ["| tool | lines | lines/s | CPU s | peak RSS | events read back | exit |", "|---|---|---|---|---|---|---|"]
    for r in t["rows"]:
        out.append(f"| {r['tool']} | {r['lines']:,} | {r['lines'] / r['wall']:,.0f} | {r['cpu']:.2f} | "
                   f"{r['rss_kib'] / 1024:.1f} MiB | {r['read_back']:,} | {r['rc']} |")
    out += ["", "100-byte lines into this run's moto server (a Python endpoint that parses and stores each event: "
            "it sets the pace here, not the client). Each tool's stream is read back with boto3 and its events "
            "counted: every line arrived when the count equals the lines."]
    return out
