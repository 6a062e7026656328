"""Least privilege and the options of a log group we create, against moto with IAM enforced.

Spec (docs/configuration.md, CWP_CREATE_LOG_GROUP, CWP_LOG_GROUP_CLASS, CWP_KMS_KEY_ID,
CWP_LOG_GROUP_TAGS; deploy/iam/policy-existing-group.json): a pre-created group needs only
logs:CreateLogStream and logs:PutLogEvents; with CWP_CREATE_LOG_GROUP=false CreateLogGroup is never
called, and a missing group is an ERROR saying how to create it (`once` exits 1; the daemon keeps
its heartbeats and delivers them once the group exists). A group we create gets the KMS key and
tags; an existing group is never changed. INFREQUENT_ACCESS with EMF is exit 2 before any call.

moto 5.2.1 keeps kmsKeyId and tags but drops logGroupClass (DescribeLogGroups never returns it),
so the class in the CreateLogGroup request is specified by the unit tests (publisher_test,
logs_client_test) with the scripted transport, and read back here from the request itself
through the proxy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SMALL_POLICY = json.loads((REPO / "deploy/iam/policy-existing-group.json").read_text())
SMALL_ACTIONS = sorted({a for s in SMALL_POLICY["Statement"] for a in s["Action"]})
GROUP = "/monorepo-fem/heartbeat"
KEY = "arn:aws:kms:ap-southeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture
def existing_group_identity(moto):
    # As moto matches only Resource "*" for CloudWatch Logs (test_deploy.py), the actions of the
    # smaller policy on "*"; tests/deploy checks its resources. sts:GetCallerIdentity is never
    # denied by AWS; moto wants it granted.
    name = "existing-group"
    return moto.identities.get(name) or moto.create_identity(
        name, [*SMALL_ACTIONS, "sts:GetCallerIdentity"])


def operations(proxy) -> list[str]:
    return [r["operation"] for r in proxy.requests() if r.get("service") == "logs"]


def test_the_smaller_policy_is_all_a_pre_created_group_needs(
    moto, aws_cli, fault_proxy, run_binary, get_events, today, existing_group_identity
):
    assert "logs:CreateLogGroup" not in SMALL_ACTIONS
    aws_cli("admin", "logs", "create-log-group", "--log-group-name", GROUP)
    env = moto.env(existing_group_identity, endpoint=fault_proxy.url)
    # Default settings: the put is refused for the missing stream, the stream is created in the
    # existing group; CreateLogGroup is never called.
    result = run_binary(["once"], env=env)
    assert result.rc == 0, result.describe()
    assert result.err_lines == [], result.describe()
    assert operations(fault_proxy) == ["PutLogEvents", "CreateLogStream", "PutLogEvents"]
    # CWP_CREATE_LOG_GROUP=false, group and stream exist: the put alone.
    fault_proxy.clear_requests()
    result = run_binary(["once"], env={**env, "CWP_CREATE_LOG_GROUP": "false"})
    assert result.rc == 0, result.describe()
    assert operations(fault_proxy) == ["PutLogEvents"]
    assert len(get_events(GROUP, f"heartbeat-{today}", expected=2)) == 2


def test_the_daemon_says_the_group_is_missing_and_delivers_once_it_exists(
    moto, aws_cli, start_daemon, get_events, today, existing_group_identity
):
    daemon = start_daemon({**moto.env(existing_group_identity), "CWP_SCHEDULE": "@every 1s",
                           "CWP_CREATE_LOG_GROUP": "false"})
    # Each failed delivery run is a WARN with the fix; the outage itself is one ERROR with it.
    missing = daemon.wait_for(lambda line: line["level"] == "WARN" and line["message"].startswith(
        "Failed to publish"), count=2)
    assert all("does not exist and creating it is turned off" in line["message"]
               for line in missing), daemon.text()
    outage = daemon.wait_for(lambda line: line["level"] == "ERROR", count=1)[0]
    assert "does not exist and creating it is turned off" in outage["message"], daemon.text()
    aws_cli("admin", "logs", "create-log-group", "--log-group-name", GROUP)
    events = get_events(GROUP, f"heartbeat-{today}", expected=4, timeout=30)
    rc, _ = daemon.stop()
    assert rc == 0, daemon.text()
    # Nothing lost: the heartbeats of the ERROR lines went out once the group existed.
    sequences = [json.loads(e["message"])["sequence"] for e in events]
    assert sequences[:4] == [1, 2, 3, 4], sequences


def test_with_create_log_group_off_a_missing_group_is_an_error_with_the_fix(
    moto, run_binary, aws_cli, existing_group_identity
):
    result = run_binary(["once"], env={**moto.env(existing_group_identity),
                                       "CWP_CREATE_LOG_GROUP": "false"})
    assert result.rc == 1, result.describe()
    [error] = result.err_lines
    assert error["message"].startswith(
        f"Failed to publish log to CloudWatch Logs: the log group {GROUP} does not exist and "
        "creating it is turned off (CWP_CREATE_LOG_GROUP=false): create it (aws logs "
        f"create-log-group --log-group-name {GROUP})"), error
    assert aws_cli("reader", "logs", "describe-log-groups")["logGroups"] == []


def test_a_group_we_create_gets_the_key_tags_and_class_and_an_existing_one_is_untouched(
    moto, aws_cli, fault_proxy, run_binary
):
    options = {"CWP_KMS_KEY_ID": KEY, "CWP_LOG_GROUP_TAGS": "team=platform, env=prod",
               "CWP_LOG_GROUP_CLASS": "INFREQUENT_ACCESS"}
    result = run_binary(["once"], env={**moto.env("admin", endpoint=fault_proxy.url), **options})
    assert result.rc == 0, result.describe()
    [create] = fault_proxy.requests(match="CreateLogGroup")
    assert json.loads(create["body"])["logGroupClass"] == "INFREQUENT_ACCESS"
    [group] = aws_cli("reader", "logs", "describe-log-groups")["logGroups"]
    assert group["kmsKeyId"] == KEY
    tags = aws_cli("reader", "logs", "list-tags-log-group", "--log-group-name", GROUP)["tags"]
    assert tags == {"team": "platform", "env": "prod"}

    aws_cli("admin", "logs", "create-log-group", "--log-group-name", "/existing")
    result = run_binary(["once"], env={**moto.env("admin"), **options,
                                       "CWP_LOG_GROUP": "/existing"})
    assert result.rc == 0, result.describe()
    [existing] = aws_cli("reader", "logs", "describe-log-groups", "--log-group-name-prefix",
                         "/existing")["logGroups"]
    assert "kmsKeyId" not in existing
    assert aws_cli("reader", "logs", "list-tags-log-group", "--log-group-name",
                   "/existing")["tags"] == {}


def test_infrequent_access_with_emf_is_exit_2_saying_why(moto, run_binary, aws_cli):
    result = run_binary(["once"], env={**moto.env("publisher"),
                                       "CWP_LOG_GROUP_CLASS": "INFREQUENT_ACCESS",
                                       "CWP_EMF_NAMESPACE": "CloudWatchPublisher"})
    assert result.rc == 2, result.describe()
    [error] = result.err_lines
    assert error["message"].startswith(
        "CWP_LOG_GROUP_CLASS: INFREQUENT_ACCESS log groups do not extract metrics from Embedded "
        "Metric Format"), error
    assert aws_cli("reader", "logs", "describe-log-groups")["logGroups"] == []
