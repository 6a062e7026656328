"""`cloudwatch-publisher exec` against moto (auth on), read back with the AWS CLI as `reader`.

Spec (docs/jobs.md "exec: one command, now" and "Running a job"): the command runs now, without
a shell; each line it writes is copied to our stdout/stderr and is one event of the job's stream
(CWP_JOB_STREAM, default job-{job}-{date}), followed by one result event; SIGTERM/SIGINT are
forwarded to it; our exit code is its exit code (128+n for signal n, 127 when it cannot start),
also when CloudWatch Logs is unreachable, and then an ERROR line says what was not delivered
(kept in CWP_SPOOL_DIR/exec for the next exec when configured).
"""

from __future__ import annotations

import json
import signal
import subprocess
from typing import Any

import pytest
from conftest import binary_env

GROUP = "/monorepo-fem/heartbeat"


def our_lines(text: str) -> list[dict[str, Any]]:
    """Our own JSON log lines among the command's output lines copied to the same stream."""
    return [json.loads(line) for line in text.splitlines() if line.startswith('{"service":')]


def messages(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in events]


def result_of(events: list[dict[str, Any]]) -> dict[str, Any]:
    docs = [json.loads(m) for m in messages(events) if m.startswith('{"event":"job_result"')]
    assert len(docs) == 1, events
    return docs[0]


def test_output_lines_and_the_result_are_stored_and_the_exit_code_is_the_commands(
    moto, run_binary, get_events, today
):
    script = "echo first; echo second >&2; echo third; exit 3"
    result = run_binary(["exec", "--job", "demo", "--", "/bin/sh", "-c", script],
                        env=moto.env("publisher"))
    assert result.rc == 3, result.describe()
    # Passed through as written, beside our own log lines.
    assert "first\n" in result.stdout and "third\n" in result.stdout, result.describe()
    assert "second\n" in result.stderr and "first" not in result.stderr, result.describe()
    errors = [line for line in our_lines(result.stderr) if line["level"] == "ERROR"]
    assert [e["message"] for e in errors] == ["job demo failed: exit code 3"], result.describe()

    events = get_events(GROUP, f"job-demo-{today}", expected=4)
    output = [m for m in messages(events) if not m.startswith("{")]
    assert sorted(output) == ["first", "second", "third"]
    assert output.index("first") < output.index("third")
    assert messages(events)[-1].startswith('{"event":"job_result"'), events
    doc = result_of(events)
    assert doc["job"] == "demo" and doc["outcome"] == "failure" and doc["exit_code"] == 3
    assert doc["output_lines"] == 3 and doc["schedule"] == ""
    assert "third\n" in doc["output_tail"]


def test_a_succeeding_command_exits_0_with_a_derived_name_and_emf_metrics(
    moto, run_binary, get_events, today
):
    env = {**moto.env("publisher"), "CWP_EMF_NAMESPACE": "Jobs/Test"}
    result = run_binary(["exec", "--", "/bin/echo", "hello"], env=env)
    assert result.rc == 0, result.describe()
    info = [line for line in our_lines(result.stdout) if line["message"].startswith("job echo")]
    assert len(info) == 1 and info[0]["level"] == "INFO", result.describe()
    events = get_events(GROUP, f"job-echo-hello-{today}", expected=2)
    assert messages(events)[0] == "hello"
    doc = result_of(events)
    assert doc["outcome"] == "success" and doc["JobSuccess"] == 1 and doc["JobFailure"] == 0
    assert doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Jobs/Test"


def test_a_command_that_cannot_start_exits_127_and_is_recorded(moto, run_binary, get_events,
                                                                today):
    result = run_binary(["exec", "--job", "missing", "--", "no-such-program-anywhere"],
                        env=moto.env("publisher"))
    assert result.rc == 127, result.describe()
    doc = result_of(get_events(GROUP, f"job-missing-{today}", expected=1))
    assert doc["outcome"] == "failure" and "not found on the PATH" in doc["reason"]


def test_sigterm_is_forwarded_and_the_exit_code_is_128_plus_the_signal(
    moto, binary, clean_home, get_events, today
):
    env = binary_env(clean_home, moto.env("publisher"))
    proc = subprocess.Popen(
        [str(binary), "exec", "--job", "waiter", "--", "/bin/sh", "-c",
         "echo ready; exec sleep 30"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # readiness: the command's first line came through
            if line == "ready\n":
                break
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, out + err
    doc = result_of(get_events(GROUP, f"job-waiter-{today}", expected=2))
    assert doc["outcome"] == "failure" and doc["signal"] == "SIGTERM"


@pytest.mark.parametrize("code", [0, 5])
def test_with_cloudwatch_unreachable_the_command_still_runs_and_its_exit_code_is_kept(
    moto, run_binary, closed_endpoint, tmp_path, code
):
    marker = tmp_path / "ran"
    env = {**moto.env("publisher", endpoint=closed_endpoint), "AWS_MAX_ATTEMPTS": "1"}
    result = run_binary(["exec", "--job", "offline", "--", "/bin/sh", "-c",
                         f"echo out; touch {marker}; exit {code}"], env=env)
    assert result.rc == code, result.describe()
    assert marker.exists()
    assert "out\n" in result.stdout
    errors = [e["message"] for e in our_lines(result.stderr) if e["level"] == "ERROR"]
    assert any(m.startswith("exec: 2 events of job offline were not delivered to CloudWatch Logs;"
                            " they are lost") for m in errors), result.describe()


def test_with_a_spool_what_exec_could_not_deliver_goes_out_with_the_next_exec(
    moto, run_binary, closed_endpoint, tmp_path, get_events, today
):
    spool = tmp_path / "spool"
    down = {**moto.env("publisher", endpoint=closed_endpoint), "AWS_MAX_ATTEMPTS": "1",
            "CWP_SPOOL_DIR": str(spool)}
    first = run_binary(["exec", "--job", "kept", "--", "/bin/echo", "offline"], env=down)
    assert first.rc == 0, first.describe()
    assert "they are kept in the spool for the next exec" in first.stderr, first.describe()

    up = {**moto.env("publisher"), "CWP_SPOOL_DIR": str(spool)}
    second = run_binary(["exec", "--job", "kept", "--", "/bin/echo", "online"], env=up)
    assert second.rc == 0, second.describe()
    events = get_events(GROUP, f"job-kept-{today}", expected=4)
    assert [m for m in messages(events) if not m.startswith("{")] == ["offline", "online"]
    outcomes = [json.loads(m)["outcome"] for m in messages(events) if m.startswith("{")]
    assert outcomes == ["success", "success"]


def test_no_command_is_a_usage_error(run_binary):
    result = run_binary(["exec", "--job", "x"])
    assert result.rc == 2, result.describe()
    assert "exec: no command given" in result.stderr
