"""The disk spool (CWP_SPOOL_DIR) end to end: what one process keeps, the next delivers.

Pass criteria are events read back from moto with the AWS CLI: every heartbeat the daemon
acknowledged (its DEBUG line "Heartbeat recorded" with spooled=disk is printed only after the
event is fsync'ed) arrives exactly once, with the timestamp it was scheduled at, and nothing that
was not a heartbeat we made (no corrupt record) is ever sent.
"""

from __future__ import annotations

import calendar
import errno
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import _SECRETS, _leaks

GROUP = "/monorepo-fem/heartbeat"
KILL_ROUNDS = 50


def recorded(line: dict) -> bool:
    return line["message"] == "Heartbeat recorded"


def on_disk(line: dict) -> bool:
    return recorded(line) and line.get("spooled") == "disk"


def spool_env(moto, endpoint: str | None, spool: Path, **extra: str) -> dict[str, str]:
    return {
        **moto.env("publisher", endpoint=endpoint),
        "CWP_SCHEDULE": "@every 1s",
        "CWP_SPOOL_DIR": str(spool),
        "CWP_LOG_LEVEL": "debug",
        **extra,
    }


def delivered_heartbeats(get_events, stream: str, expected: int) -> list[dict]:
    """Events of `stream` as (event, parsed message); asserts each is a heartbeat we wrote."""
    events = get_events(GROUP, stream, expected=expected, timeout=30)
    out = []
    for e in events:
        beat = json.loads(e["message"])  # a corrupt record would not parse
        assert beat["event"] in ("heartbeat", "dropped"), e
        out.append({**beat, "_ts": e["timestamp"]})
    return out


def assert_exactly_once_on_schedule(beats: list[dict], acknowledged: set[str]) -> None:
    ids = [b["id"] for b in beats if b["event"] == "heartbeat"]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"delivered twice: {sorted(duplicates)}"
    missing = acknowledged - set(ids)
    assert not missing, f"acknowledged but never delivered: {sorted(missing)}"
    for b in beats:
        if b["event"] == "heartbeat":
            # The event carries the time it was scheduled at, not the time it was delivered.
            scheduled_ms = calendar.timegm(time.strptime(b["timestamp"], "%Y-%m-%dT%H:%M:%SZ")) * 1000
            assert b["_ts"] // 1000 * 1000 == scheduled_ms, b
    assert [b["_ts"] for b in beats] == sorted(b["_ts"] for b in beats)


def assert_no_secrets_in(directory: Path) -> None:
    for path in directory.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("latin-1")
            assert not _leaks(text, _SECRETS), f"secret found in {path}"


def test_sigterm_leaves_the_undelivered_on_disk_and_the_next_start_delivers_them(
    moto, fault_proxy, start_daemon, get_events, today, tmp_path
):
    spool = tmp_path / "spool"
    fault_proxy.stop()  # AWS unreachable from the start
    first = start_daemon(spool_env(moto, fault_proxy.url, spool))
    first.wait_for(lambda l: l["level"] == "WARN" and "Could not reach AWS STS" in l["message"])
    first.wait_for(on_disk, count=3, timeout=20)
    rc, stop_s = first.stop(signal.SIGTERM)
    assert rc == 0 and stop_s < 2.0, first.text()
    kept = {l["id"] for l in first.lines() if on_disk(l)}
    # The last attempt (STS still unreachable) either gave up or ran out of grace.
    stopped = [
        l
        for l in first.lines()
        if l["message"].startswith(("Stopped with", "Shutdown grace period over"))
    ]
    assert stopped and stopped[0]["level"] == "WARN"
    assert any(p.suffix == ".seg" for p in spool.iterdir())

    fault_proxy.start()
    second = start_daemon(spool_env(moto, fault_proxy.url, spool))
    restored = second.wait_for(lambda l: l["message"].startswith("Restored "))
    assert restored[0]["message"].startswith(f"Restored {len(kept)} undelivered events")
    second.wait_for(lambda l: "kept while CloudWatch Logs was unreachable" in l["message"], timeout=60)
    assert second.stop()[0] == 0
    acknowledged = kept | {l["id"] for l in second.lines() if on_disk(l)}
    beats = delivered_heartbeats(get_events, f"heartbeat-{today}", expected=len(kept) + 1)
    assert_exactly_once_on_schedule(beats, kept)
    print(f"expected {len(acknowledged)}+, delivered {len(beats)}, kept over the restart {len(kept)}")
    assert_no_secrets_in(spool)


def test_sigkill_at_random_moments_never_loses_an_acknowledged_heartbeat(
    moto, closed_endpoint, start_daemon, get_events, today, tmp_path
):
    spool = tmp_path / "spool"
    seed = int(os.environ.get("CWP_KILL_SEED", time.time_ns() % 1_000_000))
    rng = random.Random(seed)
    print(f"seed {seed} (CWP_KILL_SEED reproduces the kill times)")
    acknowledged: set[str] = set()
    torn_loads = 0
    for round_no in range(KILL_ROUNDS):
        d = start_daemon(spool_env(moto, closed_endpoint, spool))
        # A random moment: one round in five during start-up and journal load, the others
        # while it spools (between ticks or mid-write). The random delay is the point of the
        # test, so it is a sleep and not a readiness probe.
        if rng.random() >= 0.2:
            d.wait_for(recorded, timeout=20)
        time.sleep(rng.uniform(0.0, 1.6))
        d.stop(signal.SIGKILL)
        lines = d.lines()
        acknowledged |= {l["id"] for l in lines if on_disk(l)}
        assert not [l for l in lines if "Cannot use the spool directory" in l["message"]], (
            f"round {round_no}: the journal did not load\n{d.text()}"
        )
        torn_loads += sum(1 for l in lines if "torn by a crash" in l["message"])
    assert len(acknowledged) >= KILL_ROUNDS // 2, "too few heartbeats to prove anything"

    final = start_daemon(spool_env(moto, None, spool))
    final.wait_for(lambda l: l["message"].startswith("Restored "))
    final.wait_for(lambda l: "kept while CloudWatch Logs was unreachable" in l["message"], timeout=60)
    assert final.stop()[0] == 0
    beats = delivered_heartbeats(get_events, f"heartbeat-{today}", expected=len(acknowledged))
    assert_exactly_once_on_schedule(beats, acknowledged)
    print(
        f"{KILL_ROUNDS} SIGKILL rounds: acknowledged {len(acknowledged)}, delivered "
        f"{len(beats)}, duplicated 0, loads that skipped a torn record {torn_loads}"
    )
    assert_no_secrets_in(spool)


@pytest.fixture
def small_tmpfs(tmp_path: Path):
    mount_point = tmp_path / "tmpfs"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs needs root: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(directory: Path) -> Path:
    """Writes a file until the file system is full; returns it."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                os.write(fd, b"\0" * 4096)
            except OSError as e:
                if e.errno == errno.ENOSPC:
                    break
                raise
        # Fill the last partial block too.
        while True:
            try:
                os.write(fd, b"\0")
            except OSError as e:
                if e.errno == errno.ENOSPC:
                    break
                raise
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_degrades_to_memory_with_an_error_and_recovers(
    moto, fault_proxy, start_daemon, get_events, today, small_tmpfs
):
    spool = small_tmpfs / "spool"
    fault_proxy.stop()
    d = start_daemon(spool_env(moto, fault_proxy.url, spool))
    d.wait_for(on_disk, count=2, timeout=20)
    filler = fill(small_tmpfs)
    errors = d.wait_for(lambda l: "Cannot write to the spool directory" in l["message"], timeout=20)
    assert errors[0]["level"] == "ERROR"
    d.wait_for(lambda l: recorded(l) and l.get("spooled") == "memory", count=2, timeout=20)
    filler.unlink()
    d.wait_for(lambda l: l["message"].startswith("The spool directory accepts writes again"),
               timeout=20)
    fault_proxy.start()
    d.wait_for(lambda l: "kept while CloudWatch Logs was unreachable" in l["message"], timeout=90)
    assert d.stop()[0] == 0
    lines = d.lines()
    assert len([l for l in lines if "Cannot write to the spool directory" in l["message"]]) == 1
    recovered_at = next(i for i, l in enumerate(lines) if "kept while CloudWatch" in l["message"])
    # Kept on disk or, while the disk was full, in memory: all of them must arrive.
    acknowledged = {l["id"] for l in lines[:recovered_at] if recorded(l)}
    beats = delivered_heartbeats(get_events, f"heartbeat-{today}", expected=len(acknowledged))
    assert_exactly_once_on_schedule(beats, acknowledged)


def test_what_is_delivered_while_the_disk_is_full_is_not_sent_again_after_a_restart(
    moto, fault_proxy, start_daemon, get_events, today, small_tmpfs
):
    spool = small_tmpfs / "spool"
    fault_proxy.stop()
    first = start_daemon(spool_env(moto, fault_proxy.url, spool))
    first.wait_for(on_disk, count=3, timeout=20)
    fill(small_tmpfs)  # and it stays full: the removal record after the delivery cannot be written
    first.wait_for(lambda l: "Cannot write to the spool directory" in l["message"], timeout=20)
    fault_proxy.start()
    first.wait_for(lambda l: "kept while CloudWatch Logs was unreachable" in l["message"], timeout=90)
    rc, _ = first.stop(signal.SIGTERM)
    assert rc == 0, first.text()
    assert not [l for l in first.lines() if l["message"].startswith(("Stopped with", "Shutdown"))]

    second = start_daemon(spool_env(moto, None, spool))
    second.wait_for(lambda l: l["message"] == "Successfully published log to CloudWatch Logs")
    assert second.stop()[0] == 0
    restored = [l for l in second.lines() if l["message"].startswith("Restored ")]
    acknowledged = {l["id"] for l in first.lines() + second.lines() if recorded(l)}
    beats = delivered_heartbeats(get_events, f"heartbeat-{today}", expected=len(acknowledged))
    # Duplicates 0, lost 0: each heartbeat of both processes arrives once.
    assert_exactly_once_on_schedule(beats, acknowledged)
    assert len([b for b in beats if b["event"] == "heartbeat"]) == len(acknowledged)
    print(f"acknowledged {len(acknowledged)}, delivered {len(beats)}, restored: {restored}")


def test_past_the_event_bound_the_oldest_are_dropped_and_a_marker_says_how_many(
    moto, fault_proxy, start_daemon, get_events, today, tmp_path
):
    spool = tmp_path / "spool"
    fault_proxy.stop()
    d = start_daemon(spool_env(moto, fault_proxy.url, spool, CWP_SPOOL_MAX_EVENTS="10"))
    # Ten kept at most (the marker included): thirteen heartbeats drop at least three.
    d.wait_for(recorded, count=13, timeout=40)
    assert d.wait_for(lambda l: "exceed the spool limits" in l["message"])[0]["level"] == "ERROR"
    fault_proxy.start()
    d.wait_for(lambda l: "kept while CloudWatch Logs was unreachable" in l["message"], timeout=90)
    assert d.stop()[0] == 0
    lines = d.lines()
    dropped = sum(l["dropped"] for l in lines if "exceed the spool limits" in l["message"])
    beats = delivered_heartbeats(get_events, f"heartbeat-{today}", expected=10)
    markers = [b for b in beats if b["event"] == "dropped"]
    assert len(markers) == 1 and markers[0]["message"] == f"{dropped} events dropped"
    # The marker stands where the gap is: before the oldest heartbeat that was kept.
    assert beats[0]["event"] == "dropped"
    sequences = [b["sequence"] for b in beats if b["event"] == "heartbeat"]
    assert sequences[0] == dropped + 1 and sequences == list(range(sequences[0], sequences[-1] + 1))


def test_an_unusable_spool_directory_is_an_error_but_heartbeats_still_flow(
    moto, start_daemon, get_events, today, tmp_path
):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    d = start_daemon(spool_env(moto, None, not_a_dir / "spool"))
    errors = d.wait_for(lambda l: "Cannot use the spool directory" in l["message"])
    assert errors[0]["level"] == "ERROR" and str(not_a_dir) in errors[0]["message"]
    d.wait_for(lambda l: l["message"] == "Successfully published log to CloudWatch Logs")
    assert d.stop()[0] == 0


def test_two_daemons_cannot_share_a_spool_directory(moto, start_daemon, tmp_path):
    spool = tmp_path / "spool"
    first = start_daemon(spool_env(moto, None, spool))
    first.wait_for(on_disk)
    second = start_daemon(spool_env(moto, None, spool))
    errors = second.wait_for(lambda l: "Cannot use the spool directory" in l["message"])
    assert "in use by another cloudwatch-publisher process" in errors[0]["message"]
    assert first.stop()[0] == 0 and second.stop()[0] == 0


def test_a_relative_spool_directory_is_a_usage_error(moto, run_binary):
    result = run_binary("once", env={**moto.env("publisher"), "CWP_SPOOL_DIR": "spool"})
    assert result.rc == 2
    assert "CWP_SPOOL_DIR" in result.stderr and "absolute path" in result.stderr
