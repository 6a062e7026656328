"""deploy/ against moto and the real binary: the IAM policy suffices (and every action in it is
needed), the ECS task definition is accepted by the ECS API, and the settings of every manifest
make the binary publish (tests/deploy/test_manifests.py checks the rest; test_alarm.py runs the
generated alarms and dashboard of deploy/alarm).

moto cannot match IAM resource ARNs for CloudWatch Logs (testing-with-moto.md section 3: any
non-"*" resource is a false AccessDenied), so the policy is checked in two halves: here, its
actions on Resource "*" against moto; in tests/deploy, its resources with IAM's wildcard rules.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
sys.path.insert(0, str(REPO / "tests" / "support"))

import readme_examples  # noqa: E402

POLICY = json.loads((DEPLOY / "iam/policy.json").read_text())
POLICY_ACTIONS = sorted({a for s in POLICY["Statement"] for a in s["Action"]})
GROUP = "/monorepo-fem/heartbeat"


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


def test_the_cronjobs_command_records_its_job_with_exec(moto, run_binary, get_events, today):
    """The CronJob's container, as the example image runs it: its ENV, the manifest's env and
    args, the example's script in place of /usr/local/bin/disk-report.sh."""
    [job] = [doc for doc in yaml.safe_load_all((DEPLOY / "kubernetes/cronjob.yaml").read_text())
             if doc]
    [c] = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    example = REPO / "examples" / "jobs"
    image_env = {  # the ENV of examples/jobs/Dockerfile
        "CWP_CRONTAB": str(example / "crontab"), "CWP_SCHEDULE": "off",
        "CWP_HEALTH_FILE": "/nonexistent/health.json", "CWP_SPOOL_DIR": "/nonexistent/spool"}
    env = {**image_env, **{e["name"]: e["value"].replace("REGION", moto.region)
                           for e in c["env"]}, **moto.env("publisher")}
    args = [str(example / "disk-report.sh") if a == "/usr/local/bin/disk-report.sh" else a
            for a in c["args"]]
    result = run_binary(args, env=env)
    assert result.rc == 0, result.describe()
    # Passed through to our stdout for `kubectl logs`, between our own JSON lines.
    assert any(l.startswith("disk-report: / is ") for l in result.stdout.splitlines()), result.describe()
    events = get_events(env["CWP_LOG_GROUP"], f"job-disk-report-{today}", expected=2)
    assert events[0]["message"].startswith("disk-report: / is ")
    doc = json.loads(events[1]["message"])
    assert doc["outcome"] == "success" and doc["host"] == "CLUSTER_NAME", doc
    assert doc["JobSuccess"] == 1 and doc["Job"] == "disk-report", doc
