"""deploy/ against moto and the real binary: the IAM policy suffices (and every action in it is
needed), the ECS task definition is accepted by the ECS API, the alarm script and the
CloudFormation alarm create the alarm with missing data treated as breaching, and the settings
of every manifest make the binary publish (tests/deploy/test_manifests.py checks the rest).

moto cannot match IAM resource ARNs for CloudWatch Logs (testing-with-moto.md section 3: any
non-"*" resource is a false AccessDenied), so the policy is checked in two halves: here, its
actions on Resource "*" against moto; in tests/deploy, its resources with IAM's wildcard rules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
sys.path.insert(0, str(REPO / "tests" / "support"))

import cfn  # noqa: E402
import readme_examples  # noqa: E402

POLICY = json.loads((DEPLOY / "iam/policy.json").read_text())
POLICY_ACTIONS = sorted({a for s in POLICY["Statement"] for a in s["Action"]})
GROUP = "/monorepo-fem/heartbeat"


def describe_alarm(aws_cli, name: str) -> dict[str, Any]:
    [alarm] = aws_cli("admin", "cloudwatch", "describe-alarms", "--alarm-names", name)[
        "MetricAlarms"
    ]
    return alarm


def assert_dead_mans_switch(alarm: dict[str, Any], dimensions: list[dict[str, str]]) -> None:
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["Namespace"] == "CloudWatchPublisher"
    assert alarm["MetricName"] == "Heartbeat"
    assert alarm["Statistic"] == "Sum"
    assert alarm["ComparisonOperator"] == "LessThanThreshold" and alarm["Threshold"] == 1.0
    assert alarm["Dimensions"] == dimensions


# ------------------------------------------------------------------------------- IAM
def test_the_policy_is_valid_iam_and_its_actions_let_the_publisher_do_everything(
    moto, aws_cli, run_binary, get_events, today
) -> None:
    created = aws_cli("admin", "iam", "create-policy", "--policy-name", "cloudwatch-publisher",
                      "--policy-document", f"file://{DEPLOY / 'iam/policy.json'}")
    assert created["Policy"]["Arn"].endswith(":policy/cloudwatch-publisher")

    deployed = moto.create_identity("deployed", POLICY_ACTIONS)
    env = {**moto.env(deployed), "CWP_RETENTION_DAYS": "30",
           "CWP_EMF_NAMESPACE": "CloudWatchPublisher"}
    result = run_binary(["once"], env=env)
    assert result.rc == 0, result.describe()
    assert result.err_lines == [], result.describe()
    assert get_events(GROUP, f"heartbeat-{today}")
    [group] = aws_cli("reader", "logs", "describe-log-groups", "--log-group-name-prefix",
                      GROUP)["logGroups"]
    assert group["retentionInDays"] == 30


@pytest.mark.parametrize("missing", POLICY_ACTIONS)
def test_every_action_in_the_policy_is_needed(moto, run_binary, missing: str) -> None:
    identity = moto.create_identity(
        "without-" + missing.split(":")[1], [a for a in POLICY_ACTIONS if a != missing]
    )
    result = run_binary(["once"], env={**moto.env(identity), "CWP_RETENTION_DAYS": "30"})
    operation = missing.split(":")[1]
    failed = [line for line in result.err_lines if operation in json.dumps(line)]
    assert failed, f"nothing failed without {missing}\n{result.describe()}"


# ------------------------------------------------------------------------------- ECS
def test_the_ecs_api_accepts_the_task_definition_as_the_readme_registers_it(moto, aws_cli):
    words = readme_examples.command("aws ecs register-task-definition")
    words = [w.replace("file://deploy/", f"file://{DEPLOY}/") for w in words]
    registered = aws_cli("admin", *words[1:])["taskDefinition"]
    read = aws_cli("admin", "ecs", "describe-task-definition", "--task-definition",
                   f"{registered['family']}:{registered['revision']}")["taskDefinition"]
    [c] = read["containerDefinitions"]
    assert read["taskRoleArn"] == "arn:aws:iam::123456789012:role/cloudwatch-publisher"
    assert c["healthCheck"]["command"] == ["CMD", "/usr/local/bin/cloudwatch-publisher", "health"]
    assert c["readonlyRootFilesystem"] is True and c["user"] == "10001"
    assert c["logConfiguration"]["logDriver"] == "awslogs"


# ------------------------------------------------------------------------------- alarm
@pytest.fixture
def alarm_script_env(moto, aws_cli, clean_home, tmp_path) -> dict[str, str]:
    """Environment for deploy/alarm/create-alarm.sh: `aws` on PATH is the tests' AWS CLI, with
    `admin`'s keys, pointed at moto."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "aws"
    shim.write_text("#!/bin/sh\nexec " + " ".join(aws_cli.command) + ' "$@"\n')
    shim.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(clean_home),
        "AWS_ENDPOINT_URL": moto.endpoint,
        "AWS_DEFAULT_REGION": moto.region,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        **moto.identities["admin"].env(),
    }


def run_script(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DEPLOY / "alarm/create-alarm.sh"), *args], env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_alarm_script_creates_the_dead_mans_switch(moto, aws_cli, alarm_script_env) -> None:
    topic = f"arn:aws:sns:{moto.region}:123456789012:ops"
    done = run_script(alarm_script_env, "--dimension", f"LogGroup={GROUP}",
                      "--dimension", "Host=node,7", "--sns-topic-arn", topic,
                      "--alarm-name", "heartbeat node,7")
    assert done.returncode == 0, done.stderr
    alarm = describe_alarm(aws_cli, "heartbeat node,7")
    assert_dead_mans_switch(alarm, [{"Name": "LogGroup", "Value": GROUP},
                                    {"Name": "Host", "Value": "node,7"}])
    assert alarm["Period"] == 300 and alarm["EvaluationPeriods"] == 2
    assert alarm["AlarmActions"] == [topic] and alarm["OKActions"] == [topic]


def test_the_readme_alarm_script_example_creates_the_alarm(moto, aws_cli, alarm_script_env):
    words = [w.replace("REGION", moto.region)
             for w in readme_examples.command("deploy/alarm/create-alarm.sh")]
    done = subprocess.run([str(REPO / words[0]), *words[1:]], env=alarm_script_env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    name = f"cloudwatch-publisher heartbeat missing (LogGroup={GROUP}, Host=node-7)"
    alarm = describe_alarm(aws_cli, name)
    assert_dead_mans_switch(alarm, [{"Name": "LogGroup", "Value": GROUP},
                                    {"Name": "Host", "Value": "node-7"}])
    topic = words[words.index("--sns-topic-arn") + 1]
    assert alarm["AlarmActions"] == [topic]


def test_the_alarm_script_refuses_a_call_without_dimensions(alarm_script_env) -> None:
    done = run_script(alarm_script_env, "--period", "300")
    assert done.returncode == 2
    assert "--dimension" in done.stderr


def test_the_cloudformation_alarm_is_accepted_by_the_cloudwatch_api(moto, aws_cli, tmp_path):
    """moto has no CloudFormation support for AWS::CloudWatch::Alarm: the resource's properties,
    evaluated for the parameters, go to PutMetricAlarm (the same API CloudFormation calls)."""
    template = cfn.load_template(DEPLOY / "alarm/cloudformation.yaml")
    props = cfn.render(template, "HeartbeatAlarm", {"SecondDimensionValue": "node-7",
                                                    "Period": "600"})
    request = tmp_path / "alarm.json"
    request.write_text(json.dumps({"AlarmName": "cfn heartbeat node-7", **props}))
    aws_cli("admin", "cloudwatch", "put-metric-alarm", "--cli-input-json", f"file://{request}")
    alarm = describe_alarm(aws_cli, "cfn heartbeat node-7")
    assert_dead_mans_switch(alarm, [{"Name": "LogGroup", "Value": GROUP},
                                    {"Name": "Host", "Value": "node-7"}])
    assert alarm["Period"] == 600


def test_the_readme_cloudformation_example_gives_the_same_alarm(moto, aws_cli, tmp_path):
    words = readme_examples.command("aws cloudformation deploy")
    template_path = REPO / words[words.index("--template-file") + 1]
    overrides = {}
    for word in words[words.index("--parameter-overrides") + 1:]:
        if word.startswith("--"):
            break
        key, value = word.split("=", 1)
        overrides[key] = value.replace("REGION", moto.region)
    props = cfn.render(cfn.load_template(template_path), "HeartbeatAlarm", overrides)
    stack = words[words.index("--stack-name") + 1]
    request = tmp_path / "alarm.json"
    request.write_text(json.dumps({"AlarmName": stack, **props}))
    aws_cli("admin", "cloudwatch", "put-metric-alarm", "--cli-input-json", f"file://{request}")
    alarm = describe_alarm(aws_cli, stack)
    assert_dead_mans_switch(alarm, [{"Name": "LogGroup", "Value": GROUP},
                                    {"Name": "Host", "Value": "node-7"}])
    assert alarm["AlarmActions"] == [overrides["AlarmTopicArn"]]


# ------------------------------------------------------------------------------- manifests
def manifest_envs() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and "template" in doc.get("spec", {}):
                [c] = doc["spec"]["template"]["spec"]["containers"]
                env = {e["name"]: e.get("value", e.get("valueFrom")) for e in c["env"]}
                out.append((f"{path.name}", env))
    task = json.loads((DEPLOY / "ecs/task-definition.json").read_text())
    [c] = task["containerDefinitions"]
    out.append(("task-definition.json", {e["name"]: e["value"] for e in c["environment"]}))
    return out


@pytest.mark.parametrize("name,manifest_env", manifest_envs(), ids=[n for n, _ in manifest_envs()])
def test_each_manifests_settings_publish_an_emf_heartbeat(
    moto, run_binary, get_events, today, name: str, manifest_env: dict[str, Any]
) -> None:
    env: dict[str, str] = {}
    for key, value in manifest_env.items():
        if value == {"fieldRef": {"fieldPath": "spec.nodeName"}}:
            value = "node-1"  # what the downward API gives on node-1
        assert isinstance(value, str), (key, value)
        env[key] = value.replace("REGION", moto.region).replace("CLUSTER_NAME", "test-cluster")
    result = run_binary(["once"], env={**env, **moto.env("publisher")})
    assert result.rc == 0, result.describe()
    host = env["CWP_HOSTNAME"]
    [event] = get_events(env["CWP_LOG_GROUP"], f"heartbeat-{host}-{today}")
    doc = json.loads(event["message"])
    assert doc["host"] == host and doc["Host"] == host and doc["Heartbeat"] == 1
