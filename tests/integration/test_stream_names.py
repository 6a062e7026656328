"""Stream names are checked at start, before any network call, for every command.

Spec (docs/configuration.md "Log stream names"): every stream name that can be rendered from the
settings alone ({date}, {hostname}, and {instance_id} when CWP_INSTANCE_ID is set) must be a
valid CloudWatch Logs stream name (1 to 512 characters, no ':' or '*'). When it is not, the
command exits 2 with one ERROR that names the setting, the rendered name's length and the fix.
Every AWS endpoint points at a closed port here: exit 2 (not 1) proves no network call was
needed to find out.
"""

from __future__ import annotations

from typing import Any

import pytest

KEYS = {
    "AWS_ACCESS_KEY_ID": "AKIDSTREAMNAMETEST",
    "AWS_SECRET_ACCESS_KEY": "stream-name-test-secret-never-used",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}

TOO_LONG = {"CWP_LOG_STREAM": "x" * 590 + "-{date}"}  # 601 characters once rendered
COLON_FROM_HOST = {"CWP_HOSTNAME": "db:1", "CWP_LOG_STREAM": "{hostname}-{date}"}

COMMANDS = {
    "once": ["once"],
    "send": ["send", "hello"],
    "check": ["check"],
}


def the_error(lines: list[dict[str, Any]], describe: str) -> str:
    errors = [l for l in lines if l["level"] == "ERROR"]
    assert len(errors) == 1, describe
    return errors[0]["message"]


def assert_names_the_length_and_fix(message: str, case: str) -> None:
    assert message.startswith("CWP_LOG_STREAM: '"), message
    if case == "too-long":
        assert "(601 characters)" in message, message
        assert "1 to 512 characters" in message, message
        assert message.endswith("shorten CWP_LOG_STREAM (--log-stream)"), message
    else:
        assert "renders to 'db:1-" in message and "(15 characters, with ':')" in message, message
        assert "set CWP_HOSTNAME (--hostname) to a name without ':' or '*'" in message, message


@pytest.mark.parametrize("case,settings", [("too-long", TOO_LONG), ("colon", COLON_FROM_HOST)])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_invalid_rendered_stream_name_is_exit_2_before_any_network_call(
    run_binary, closed_endpoint, command, case, settings
) -> None:
    env = {**KEYS, "AWS_ENDPOINT_URL": closed_endpoint, **settings}
    result = run_binary(COMMANDS[command], env=env, timeout=20)
    assert result.rc == 2, result.describe()
    assert_names_the_length_and_fix(the_error(result.err_lines, result.describe()), case)
    assert result.elapsed_s < 5, "no retries against the closed port"


@pytest.mark.parametrize("case,settings", [("too-long", TOO_LONG), ("colon", COLON_FROM_HOST)])
def test_run_exits_2_at_start_instead_of_dropping_every_heartbeat(
    start_daemon, closed_endpoint, case, settings
) -> None:
    daemon = start_daemon({**KEYS, "AWS_ENDPOINT_URL": closed_endpoint, **settings,
                           "CWP_SCHEDULE": "@every 1s"})
    assert daemon.wait_exit(timeout=10) == 2, daemon.text()
    lines = daemon.lines()
    assert_names_the_length_and_fix(the_error(lines, daemon.text()), case)
    assert not [l for l in lines if "heartbeat dropped" in l["message"]]


def test_the_send_stream_is_checked_too_named_after_its_flag(run_binary, closed_endpoint) -> None:
    env = {**KEYS, "AWS_ENDPOINT_URL": closed_endpoint}
    result = run_binary(["send", "--stream", "s" * 513, "hello"], env=env, timeout=20)
    assert result.rc == 2, result.describe()
    message = the_error(result.err_lines, result.describe())
    assert message.startswith("--stream: '"), message
    assert "(513 characters)" in message and "shorten CWP_SEND_STREAM (--stream)" in message
