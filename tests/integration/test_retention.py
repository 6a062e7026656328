"""CWP_RETENTION_DAYS: retention is set on a log group when (and only when) we create it."""

from __future__ import annotations

import pytest

GROUP = "/retention/heartbeat"
RETENTION_SET = "Set the log group's retention to 14 days"
RETENTION_FAILED = "Could not set the log group's retention"


@pytest.fixture(scope="module")
def retainer(moto):
    """The publisher's permissions plus logs:PutRetentionPolicy."""
    return moto.create_identity(
        "retainer",
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
         "logs:PutRetentionPolicy"],
    )


def retention_of(aws_cli, group: str) -> int | None:
    groups = aws_cli("reader", "logs", "describe-log-groups", "--log-group-name-prefix", group)
    [found] = [g for g in groups["logGroups"] if g["logGroupName"] == group]
    return found.get("retentionInDays")


def test_retention_is_set_on_the_group_we_create(moto, retainer, run_binary, aws_cli) -> None:
    env = {**moto.env(retainer), "CWP_LOG_GROUP": GROUP, "CWP_RETENTION_DAYS": "14"}
    result = run_binary(["once"], env=env)
    assert result.rc == 0, result.describe()
    assert result.err_lines == []
    messages = [line["message"] for line in result.out_lines]
    assert messages.index("Created log group") < messages.index(RETENTION_SET), messages
    assert retention_of(aws_cli, GROUP) == 14


def test_an_existing_groups_retention_is_left_alone(moto, retainer, run_binary, aws_cli) -> None:
    aws_cli("reader", "logs", "create-log-group", "--log-group-name", GROUP)
    aws_cli("reader", "logs", "put-retention-policy", "--log-group-name", GROUP,
            "--retention-in-days", "30")
    never = GROUP + "-never"
    aws_cli("reader", "logs", "create-log-group", "--log-group-name", never)
    for group in (GROUP, never):
        env = {**moto.env(retainer), "CWP_LOG_GROUP": group, "CWP_RETENTION_DAYS": "14"}
        result = run_binary(["once"], env=env)
        assert result.rc == 0, result.describe()
        assert all(line["message"] != RETENTION_SET for line in result.out_lines)
    assert retention_of(aws_cli, GROUP) == 30
    assert retention_of(aws_cli, never) is None


def test_without_permission_to_set_retention_heartbeats_still_go_out_with_an_error_line(
    moto, run_binary, aws_cli, get_events, today
) -> None:
    # `publisher` may create groups and streams and put events, but not set retention.
    env = {**moto.env("publisher"), "CWP_LOG_GROUP": GROUP, "CWP_RETENTION_DAYS": "14"}
    result = run_binary(["once"], env=env)
    assert result.rc == 0, result.describe()
    [error] = result.err_lines
    assert error["message"].startswith(RETENTION_FAILED), error
    assert error["retention_days"] == 14 and error["log_group"] == GROUP
    assert get_events(GROUP, f"heartbeat-{today}")
    assert retention_of(aws_cli, GROUP) is None


@pytest.mark.parametrize("value", ["8", "0", "two weeks", "-7"])
def test_a_retention_cloudwatch_does_not_accept_is_exit_2_listing_the_values(
    moto, run_binary, value
) -> None:
    result = run_binary(["once"], env={**moto.env("publisher"), "CWP_RETENTION_DAYS": value})
    assert result.rc == 2, result.describe()
    [line] = result.err_lines
    assert line["message"].startswith(f"CWP_RETENTION_DAYS: '{value}' is not a retention"), line
    assert "1, 3, 5, 7, 14, 30" in line["message"] and "3653" in line["message"]
