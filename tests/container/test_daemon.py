"""The image's default command (`run`, the daemon) under Docker, against moto on 127.0.0.1.

Spec: the old image's quick start (`docker run -d -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY
-e AWS_REGION ... cloudwatch-publisher`) behaves the same: entrypoint lines, then one heartbeat
at once and one per schedule tick; every `docker logs` line is a JSON log line; `docker stop`
ends it with exit code 0 within 2 s; missing or rejected credentials stop it at once with an ERROR
line (exit 2 / 3); an unreachable AWS is a WARN and it keeps running. All of it with a read-only
root filesystem, every capability dropped and no-new-privileges.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any

import json_log
from conftest import _docker

GROUP = "/monorepo-fem/heartbeat"
PUBLISHED = "Successfully published log to CloudWatch Logs"
ENTRYPOINT_LINES = [
    "Starting CloudWatch Publisher container...",
    "Environment validation successful (AWS_REGION=ap-southeast-2)",
    "AWS credentials validated successfully",
]
HARDENED = ["--network", "host", "--read-only", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges"]
MAX_STOP_S = 2.0


def utc_date() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")


def is_published(line: dict[str, Any]) -> bool:
    return line["message"] == PUBLISHED


def errors(container) -> list[dict[str, Any]]:
    return [l for l in container.lines() if l["level"] == "ERROR"]


def test_heartbeats_reach_cloudwatch_and_docker_stop_exits_zero_within_2_s(
    moto, docker_run, get_events
):
    first_date = utc_date()
    container = docker_run(
        env={**moto.env("publisher"), "CWP_SCHEDULE": "@every 1s"}, docker_args=HARDENED
    )
    published = container.wait_for(is_published, count=4, timeout=60)

    # The process really runs as the image's user, not as root.
    top = _docker("top", container.name, "-o", "pid,uid", check=True).stdout.splitlines()[1:]
    uids = {line.split()[1] for line in top}
    assert uids == {"10001"}, top

    streams = {l["log_stream"] for l in published}
    assert {l["log_group"] for l in published} == {GROUP}
    assert streams <= {f"heartbeat-{first_date}", f"heartbeat-{utc_date()}"}, streams
    stream = published[0]["log_stream"]
    events = get_events(GROUP, stream, expected=len(published), timeout=30)
    beats = [json.loads(e["message"]) for e in events]
    assert all(b["event"] == "heartbeat" for b in beats), beats
    assert all(isinstance(b["host"], str) and b["host"] for b in beats), beats
    assert all("timestamp" in b for b in beats), beats
    assert len({b["id"] for b in beats}) == len(beats), "heartbeat ids must be unique"
    sequences = [b["sequence"] for b in beats]
    assert sequences == sorted(set(sequences)), f"sequence must increase: {sequences}"
    assert [l["sequence"] for l in published] == sequences[: len(published)]

    stop_s = container.stop()
    print(f"docker stop took {stop_s * 1000:.0f} ms; exit code {container.exit_code()}")
    assert container.exit_code() == 0, container.describe()
    assert stop_s < MAX_STOP_S, f"docker stop took {stop_s:.2f} s"

    out, _ = container.logs()
    stdout_lines = json_log.parse_lines(out, "stdout")
    assert [l["message"] for l in stdout_lines[:3]] == ENTRYPOINT_LINES, container.describe()
    assert {l["service"] for l in stdout_lines[:3]} == {"cloudwatch-publisher-entrypoint"}
    assert all(l["service"] == "cloudwatch-publisher" for l in stdout_lines if is_published(l))
    assert errors(container) == [], container.describe()


def test_quick_start_environment_and_default_schedule_publish_one_heartbeat_at_once(
    moto, docker_run, get_events
):
    """Exactly the README's variables (plus the endpoint of the local emulator), no CWP_*."""
    identity = moto.publisher
    env = {
        "AWS_ACCESS_KEY_ID": identity.access_key_id,
        "AWS_SECRET_ACCESS_KEY": identity.secret_access_key,
        "AWS_REGION": "ap-southeast-2",
        "AWS_ENDPOINT_URL": moto.endpoint,
    }
    container = docker_run(env=env, docker_args=["--network", "host"])
    (line,) = container.wait_for(is_published, count=1, timeout=60)
    assert line["log_group"] == GROUP
    assert line["log_stream"].startswith("heartbeat-")
    get_events(GROUP, line["log_stream"], expected=1)
    assert container.running()
    assert container.stop() < MAX_STOP_S
    assert container.exit_code() == 0, container.describe()


def test_sigint_also_exits_zero_within_2_s(moto, docker_run):
    container = docker_run(
        env={**moto.env("publisher"), "CWP_SCHEDULE": "@every 1s"}, docker_args=HARDENED
    )
    container.wait_for(is_published, timeout=60)
    started = time.monotonic()
    container.kill("SIGINT")
    rc = container.wait_exit(timeout=10)
    elapsed = time.monotonic() - started
    print(f"exit {rc} {elapsed * 1000:.0f} ms after SIGINT")
    assert rc == 0, container.describe()
    assert elapsed < MAX_STOP_S


def test_missing_secret_key_exits_at_once_with_code_2_and_an_error_naming_it(moto, docker_run):
    env = moto.env("publisher")
    del env["AWS_SECRET_ACCESS_KEY"]
    started = time.monotonic()
    container = docker_run(env=env, docker_args=HARDENED)
    rc = container.wait_exit(timeout=15)
    print(f"exit {rc} after {time.monotonic() - started:.2f} s")
    assert rc == 2, container.describe()
    assert any("AWS_SECRET_ACCESS_KEY" in l["message"] for l in errors(container)), (
        container.describe()
    )


def test_wrong_secret_key_exits_at_once_with_code_3_and_an_error_about_credentials(
    moto, docker_run
):
    env = {**moto.env("publisher"), "AWS_SECRET_ACCESS_KEY": "definitely-not-the-secret-key-0123"}
    started = time.monotonic()
    container = docker_run(env=env, docker_args=HARDENED)
    rc = container.wait_exit(timeout=30)
    print(f"exit {rc} after {time.monotonic() - started:.2f} s")
    assert rc == 3, container.describe()
    assert any("credentials" in l["message"].lower() for l in errors(container)), (
        container.describe()
    )


def test_unreachable_aws_is_a_warning_and_the_daemon_keeps_running(
    moto, closed_endpoint, docker_run
):
    env = {
        **moto.env("publisher", endpoint=closed_endpoint),
        "CWP_SCHEDULE": "@every 1s",
        "AWS_MAX_ATTEMPTS": "1",
    }
    container = docker_run(env=env, docker_args=HARDENED)
    container.wait_for(lambda l: l["level"] == "WARN", timeout=30)
    lines_at_warning = len(container.lines())
    # Still alive and still working through its schedule after the warning.
    container.wait_for(lambda l: True, count=lines_at_warning + 1, timeout=30)
    assert container.running(), container.describe()
    assert container.stop() < MAX_STOP_S
    assert container.exit_code() == 0, container.describe()


def test_the_spool_volume_carries_undelivered_heartbeats_into_the_next_container(
    moto, closed_endpoint, docker_run, get_events
):
    """The image keeps its spool in the state volume: heartbeats a container could not deliver
    are delivered by the next container that mounts the same volume."""
    volume = f"cwp-test-spool-{uuid.uuid4().hex[:12]}"
    mount = ["-v", f"{volume}:/var/lib/cloudwatch-publisher"]
    started = []
    try:
        down = {
            **moto.env("publisher", endpoint=closed_endpoint),
            "CWP_SCHEDULE": "@every 1s",
            "AWS_MAX_ATTEMPTS": "1",
            "CWP_LOG_LEVEL": "debug",
        }
        first = docker_run(env=down, docker_args=[*HARDENED, *mount])
        started.append(first)

        def on_disk(line: dict[str, Any]) -> bool:
            return line["message"] == "Heartbeat recorded" and line.get("spooled") == "disk"

        first.wait_for(on_disk, count=3, timeout=30)
        assert first.stop() < MAX_STOP_S and first.exit_code() == 0, first.describe()
        kept = {l["id"] for l in first.lines() if on_disk(l)}

        up = {**moto.env("publisher"), "CWP_SCHEDULE": "@every 1s"}
        second = docker_run(env=up, docker_args=[*HARDENED, *mount])
        started.append(second)
        restored = second.wait_for(lambda l: l["message"].startswith("Restored "), timeout=30)
        assert restored[0]["message"].startswith(f"Restored {len(kept)} undelivered events")
        second.wait_for(
            lambda l: "kept while CloudWatch Logs was unreachable" in l["message"], timeout=60
        )
        assert second.stop() < MAX_STOP_S and second.exit_code() == 0

        events = get_events(GROUP, f"heartbeat-{utc_date()}", expected=len(kept) + 1, timeout=30)
        ids = [json.loads(e["message"])["id"] for e in events]
        assert kept <= set(ids), f"kept {sorted(kept)}, delivered {ids}"
        assert len(ids) == len(set(ids)), f"duplicates in {ids}"
    finally:
        for container in started:
            _docker("rm", "-f", container.name, timeout=60)
        _docker("volume", "rm", "-f", volume, timeout=60)
