"""`cloudwatch-publisher health` and the state file `run` writes (CWP_HEALTH_FILE), with moto.

Spec (docs/operations.md "Health checks"): `run` rewrites a JSON state file after every delivery
attempt; `health` exits 0 while the last successful delivery (or the start, before the first) is
recent enough: the second scheduled tick after it, plus the splay's maximum, plus 30 s. Otherwise
exit 1 with one ERROR line saying why: stale, no file, unreadable or invalid file.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time
from pathlib import Path

import readme_examples
from conftest import _RECORDED, binary_env

PUBLISHED = "Successfully published log to CloudWatch Logs"


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def test_health_is_ok_once_the_daemon_delivered_and_the_readme_example_runs(
    moto, start_daemon, run_binary, binary, clean_home, tmp_path
):
    state_file = tmp_path / "health.json"
    env = {**moto.env("publisher"), "CWP_SCHEDULE": "@every 1s", "CWP_HEALTH_FILE": str(state_file)}
    daemon = start_daemon(env)
    daemon.wait_for(lambda l: l["message"] == PUBLISHED)

    state = json.loads(state_file.read_text())
    assert state["pid"] == daemon.proc.pid
    assert state["schedule"] == "@every 1s"
    assert state["last_success"] is not None and state["undelivered"] == 0

    result = run_binary(["health"], env=env)
    assert result.rc == 0, result.describe()
    (line,) = result.out_lines
    assert line["level"] == "INFO" and line["message"].startswith("Healthy: last heartbeat delivered")

    script = readme_examples.section("Health checks").split("```sh\n")[1].split("```")[0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cloudwatch-publisher").symlink_to(binary)
    shell_env = binary_env(clean_home, env)
    shell_env["PATH"] = f"{bin_dir}:{shell_env['PATH']}"
    proc = subprocess.run(["bash", "-c", script], env=shell_env, capture_output=True, text=True,
                          timeout=30, stdin=subprocess.DEVNULL)
    _RECORDED.append(("readme health example", ["bash", "-c", script], proc.stdout, proc.stderr))
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("healthy"), proc

    assert daemon.stop()[0] == 0


def test_a_daemon_that_cannot_deliver_records_its_attempts_without_a_success(
    moto, start_daemon, closed_endpoint, tmp_path
):
    state_file = tmp_path / "health.json"
    daemon = start_daemon({**moto.env("publisher", endpoint=closed_endpoint),
                           "CWP_SCHEDULE": "@every 1s", "AWS_MAX_ATTEMPTS": "1",
                           "CWP_HEALTH_FILE": str(state_file)})
    # Written before the credentials check, so it is there once that check has complained.
    daemon.wait_for(lambda l: l["level"] == "WARN" and "STS" in l["message"], timeout=30)
    state = json.loads(state_file.read_text())
    assert state["pid"] == daemon.proc.pid
    deadline = time.monotonic() + 30
    while state["last_attempt"] is None and time.monotonic() < deadline:
        time.sleep(0.2)  # poll interval of a deadline-bounded wait
        state = json.loads(state_file.read_text())  # rewritten after each delivery attempt
    assert state["last_success"] is None
    assert state["last_attempt"] is not None and state["undelivered"] >= 1
    assert daemon.stop()[0] == 0


def test_a_stale_state_is_unhealthy_and_says_how_stale(run_binary, tmp_path):
    now = dt.datetime.now(dt.timezone.utc)
    state_file = tmp_path / "health.json"
    state_file.write_text(json.dumps({
        "pid": 1, "schedule": "*/1 * * * *", "splay_max_ms": 0,
        "started": iso(now - dt.timedelta(hours=1)),
        "last_attempt": iso(now - dt.timedelta(seconds=5)),
        "last_success": iso(now - dt.timedelta(minutes=10)), "undelivered": 9}))
    result = run_binary(["health"], env={"CWP_HEALTH_FILE": str(state_file)})
    assert result.rc == 1, result.describe()
    (line,) = result.err_lines
    assert line["message"].startswith("Unhealthy: last heartbeat delivered 600 s ago, expected "
                                      "within "), line
    assert "9 undelivered" in line["message"]


def test_no_state_file_is_unhealthy_and_names_the_setting(run_binary, tmp_path):
    missing = tmp_path / "nothing-here.json"
    result = run_binary(["health"], env={"CWP_HEALTH_FILE": str(missing)})
    assert result.rc == 1, result.describe()
    (line,) = result.err_lines
    assert line["message"] == (f"Unhealthy: no health file at {missing}: the daemon is not "
                               "running, has not started yet, or writes elsewhere (CWP_HEALTH_FILE)")


def test_a_corrupt_state_file_is_unhealthy(run_binary, tmp_path):
    state_file = tmp_path / "health.json"
    state_file.write_text('{"pid": 1, "sched')
    result = run_binary(["health", "--health-file", str(state_file)])
    assert result.rc == 1, result.describe()
    (line,) = result.err_lines
    assert line["message"].startswith(f"Unhealthy: the health file {state_file} is not valid")


def test_without_heartbeats_health_judges_the_daemons_delivery_attempts(
    moto, start_daemon, run_binary, tmp_path
):
    state_file = tmp_path / "health.json"
    tab = tmp_path / "crontab"
    tab.write_text("# cwp: name=tick\n@every 1s echo tick\n")
    env = {**moto.env("publisher"), "CWP_SCHEDULE": "off", "CWP_CRONTAB": str(tab),
           "CWP_HEALTH_FILE": str(state_file)}
    daemon = start_daemon(env)
    daemon.wait_for(lambda l: l.get("job") == "tick" and l.get("outcome") == "success", count=2)
    state = json.loads(state_file.read_text())
    assert state["schedule"] == "off" and state["pid"] == daemon.proc.pid, state
    assert state["failing_since"] is None, state

    result = run_binary(["health"], env=env)
    assert result.rc == 0, result.describe()
    (line,) = result.out_lines
    assert line["message"].startswith("Healthy: no heartbeats (CWP_SCHEDULE=off); "), line
    assert daemon.stop()[0] == 0


def test_without_heartbeats_no_delivery_attempt_for_90_s_is_unhealthy(run_binary, tmp_path):
    now = dt.datetime.now(dt.timezone.utc)
    state_file = tmp_path / "health.json"
    state_file.write_text(json.dumps({
        "pid": 1, "schedule": "off", "splay_max_ms": 0,
        "started": iso(now - dt.timedelta(hours=1)),
        "last_attempt": iso(now - dt.timedelta(seconds=120)),
        "last_success": None, "failing_since": None, "undelivered": 0}))
    result = run_binary(["health"], env={"CWP_HEALTH_FILE": str(state_file)})
    assert result.rc == 1, result.describe()
    (line,) = result.err_lines
    assert line["message"].startswith("Unhealthy: last delivery attempt 120 s ago, expected every "
                                      "30 s without heartbeats (limit 90 s)"), line
