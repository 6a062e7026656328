"""deploy/ as a specification: every manifest parses, every pod runs under the restricted Pod
Security profile, probes use `health`, the DaemonSet's stream is per node, the IAM policy grants
exactly what the code calls and only on the log group, the alarm treats missing data as
breaching in both forms, and the documentation's examples (README.md, docs/) are these files.

Static checks only (no network, no binary); tests/integration/test_deploy.py runs the files
against moto and the real binary.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
sys.path.insert(0, str(REPO / "tests" / "support"))

import cfn  # noqa: E402
import readme_examples  # noqa: E402

README = readme_examples.text()  # README.md and docs/*.md
K8S = DEPLOY / "kubernetes"
STATE_DIR = "/var/lib/cloudwatch-publisher"
ACCOUNT_PLACEHOLDER = "123456789012"


def image_entrypoint() -> str:
    """The binary's path in the image: the final stage's ENTRYPOINT."""
    entrypoints = re.findall(r'^ENTRYPOINT \["([^"]+)"\]', (REPO / "Dockerfile").read_text(), re.M)
    assert entrypoints
    return entrypoints[-1]


def k8s_documents() -> list[tuple[Path, dict[str, Any]]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                docs.append((path, doc))
    return docs


def workloads() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.name}:{doc['kind']}", doc)
        for path, doc in k8s_documents()
        if "template" in doc.get("spec", {})
    ]


def containers(pod_spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from pod_spec.get("initContainers", [])
    yield from pod_spec["containers"]


def env_of(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


# Read-only calls made only by `check`, which reports "not verified" when they are denied: the
# publishing policy deliberately does not grant them.
CHECK_ONLY_OPERATIONS = {"DescribeLogGroups", "DescribeLogStreams"}


def logs_operations_the_code_calls() -> set[str]:
    """The CloudWatch Logs operations publishing makes (every call in logs_client.cpp except the
    ones only `check` makes)."""
    source = (REPO / "src/cloudwatch/logs_client.cpp").read_text()
    operations = set(re.findall(r'call\("([A-Za-z]+)"', source))
    assert {"CreateLogGroup", "PutLogEvents"} <= operations
    return operations - CHECK_ONLY_OPERATIONS


# ------------------------------------------------------------------------------- parsing
def test_every_file_under_deploy_parses() -> None:
    files = sorted(p for p in DEPLOY.rglob("*") if p.is_file())
    assert files
    for path in files:
        if path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".crontab":
            assert any(line.strip() and not line.startswith("#")
                       for line in path.read_text().splitlines())
        elif path.suffix == ".yaml":
            assert list(yaml.safe_load_all(path.read_text()))
        elif path.suffix == ".sh":
            subprocess.run(["bash", "-n", str(path)], check=True)
            assert path.stat().st_mode & 0o111, f"{path} is not executable"
        else:
            pytest.fail(f"unexpected file type under deploy/: {path}")


def test_kubernetes_manifests_are_namespace_agnostic() -> None:
    for path, doc in k8s_documents():
        assert "namespace" not in doc["metadata"], f"{path.name} pins a namespace"


# ------------------------------------------------------------------------------- pods
def test_there_is_a_deployment_and_a_daemonset() -> None:
    kinds = sorted(doc["kind"] for _, doc in workloads())
    assert kinds == ["DaemonSet", "Deployment"]


def assert_restricted(name: str, pod: dict[str, Any]) -> None:
    """The pod meets the "restricted" Pod Security Standard."""
    pod_ctx = pod["securityContext"]
    assert pod_ctx["runAsNonRoot"] is True
    assert pod_ctx["runAsUser"] == 10001
    assert pod_ctx["seccompProfile"] == {"type": "RuntimeDefault"}
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        assert not pod.get(key), f"{name}: {key}"
    for volume in pod.get("volumes", []):
        assert "hostPath" not in volume, f"{name}: hostPath volume {volume}"
    for c in containers(pod):
        ctx = c["securityContext"]
        assert ctx["allowPrivilegeEscalation"] is False, c["name"]
        assert ctx["capabilities"]["drop"] == ["ALL"], c["name"]
        assert not ctx["capabilities"].get("add"), c["name"]
        assert ctx["readOnlyRootFilesystem"] is True, c["name"]
        assert ctx.get("privileged", False) is False, c["name"]
        assert ctx["runAsNonRoot"] is True and ctx["runAsUser"] == 10001, c["name"]
        assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}, c["name"]


@pytest.mark.parametrize("name,doc", workloads(), ids=[n for n, _ in workloads()])
def test_pods_meet_the_restricted_pod_security_standard(name: str, doc: dict[str, Any]) -> None:
    assert_restricted(name, doc["spec"]["template"]["spec"])


@pytest.mark.parametrize("name,doc", workloads(), ids=[n for n, _ in workloads()])
def test_liveness_uses_the_health_subcommand_in_exec_form(name: str, doc: dict[str, Any]) -> None:
    pod = doc["spec"]["template"]["spec"]
    for c in pod["containers"]:
        probe = c["livenessProbe"]
        assert probe["exec"]["command"] == [image_entrypoint(), "health"], name
        assert probe["periodSeconds"] >= 10 and probe["failureThreshold"] >= 3


@pytest.mark.parametrize("name,doc", workloads(), ids=[n for n, _ in workloads()])
def test_pods_are_small_write_only_to_their_state_volume_and_use_the_service_account(
    name: str, doc: dict[str, Any]
) -> None:
    pod = doc["spec"]["template"]["spec"]
    [account] = [d for _, d in k8s_documents() if d["kind"] == "ServiceAccount"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    for c in pod["containers"]:
        assert c["args"] == ["run"]
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(c["resources"][kind]), (name, kind)
        [mount] = c["volumeMounts"]
        assert mount["mountPath"] == STATE_DIR
        assert "emptyDir" in volumes[mount["name"]]


def cronjob() -> dict[str, Any]:
    [job] = [doc for _, doc in k8s_documents() if doc["kind"] == "CronJob"]
    return job


def test_the_cronjob_records_its_command_with_exec_under_the_restricted_standard() -> None:
    job = cronjob()
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert_restricted("cronjob.yaml", pod)
    [account] = [d for _, d in k8s_documents() if d["kind"] == "ServiceAccount"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["restartPolicy"] == "Never"  # a failed run is recorded once, not retried in place
    [c] = pod["containers"]
    # The image's ENTRYPOINT is the binary (examples/jobs): exec --job NAME -- COMMAND ARGS...
    assert "command" not in c
    args = c["args"]
    assert args[:2] == ["exec", "--job"] and args[3] == "--" and len(args) > 4, args
    assert re.fullmatch(r"[A-Za-z0-9._-]{1,64}", args[2]), args[2]
    assert args[4].startswith("/"), args  # no shell: a program with plain arguments
    env = env_of(c)
    assert env["CWP_EMF_NAMESPACE"] and env["CWP_LOG_GROUP"]
    # Fixed, so the Host dimension of the job's metrics (and its alarm) is the same every run.
    assert env["CWP_HOSTNAME"] == "CLUSTER_NAME"
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c["resources"][kind]), kind
    # The job's schedule is the CronJob's; a second run never starts beside a running one.
    assert job["spec"]["concurrencyPolicy"] == "Forbid"
    assert job["spec"]["timeZone"] == "Etc/UTC"
    assert len(job["spec"]["schedule"].split()) == 5


def test_the_cronjob_runs_a_job_of_the_example_image() -> None:
    [c] = cronjob()["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    program = c["args"][4]
    dockerfile = (REPO / "examples/jobs/Dockerfile").read_text()
    copied = re.findall(r"^COPY (\S+) (\S+)$", dockerfile, re.M)
    assert (Path(program).name, program) in copied, (program, copied)


def test_the_daemonset_publishes_one_stream_per_node() -> None:
    [(_, ds)] = [w for w in workloads() if w[1]["kind"] == "DaemonSet"]
    [c] = ds["spec"]["template"]["spec"]["containers"]
    env = env_of(c)
    assert env["CWP_HOSTNAME"] == {"fieldRef": {"fieldPath": "spec.nodeName"}}
    assert "{hostname}" in env["CWP_LOG_STREAM"]


def test_the_service_account_is_annotated_for_irsa_and_pod_identity_is_noted() -> None:
    text = (K8S / "serviceaccount.yaml").read_text()
    account = yaml.safe_load(text)
    arn = account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    assert re.fullmatch(rf"arn:aws:iam::{ACCOUNT_PLACEHOLDER}:role/[\w+=,.@-]+", arn)
    assert "Pod Identity" in text and "create-pod-identity-association" in text


def test_every_publisher_setting_in_the_manifests_is_documented() -> None:
    names = set()
    for _, doc in workloads():
        for c in doc["spec"]["template"]["spec"]["containers"]:
            names |= set(env_of(c))
    names |= set(env_of(
        cronjob()["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]))
    task = json.loads((DEPLOY / "ecs/task-definition.json").read_text())
    for c in task["containerDefinitions"]:
        names |= {e["name"] for e in c["environment"]}
    assert {"CWP_EMF_NAMESPACE", "CWP_LOG_GROUP", "CWP_HOSTNAME", "CWP_SPOOL_DIR"} <= names
    for name in names:
        assert f"`{name}`" in README, name


# ------------------------------------------------------------------------------- ECS
def test_ecs_task_definition() -> None:
    task = json.loads((DEPLOY / "ecs/task-definition.json").read_text())
    assert re.fullmatch(rf"arn:aws:iam::{ACCOUNT_PLACEHOLDER}:role/[\w+=,.@-]+", task["taskRoleArn"])
    volumes = {v["name"] for v in task["volumes"]}
    for c in task["containerDefinitions"]:
        assert c["readonlyRootFilesystem"] is True
        assert c["user"] == "10001"
        assert c.get("privileged", False) is False
        assert c["linuxParameters"]["capabilities"]["drop"] == ["ALL"]
        assert c["command"] == ["run"]
        assert c["healthCheck"]["command"] == ["CMD", image_entrypoint(), "health"]
        log = c["logConfiguration"]
        assert log["logDriver"] == "awslogs"
        assert {"awslogs-group", "awslogs-region", "awslogs-stream-prefix"} <= set(log["options"])
        [mount] = c["mountPoints"]
        assert mount["containerPath"] == STATE_DIR and mount["sourceVolume"] in volumes


# ------------------------------------------------------------------------------- IAM
# Both shapes: the publisher creates its group (policy.json), or the group is pre-created and
# CWP_CREATE_LOG_GROUP=false (policy-existing-group.json: no CreateLogGroup, no retention).
FULL_POLICY = "policy.json"
EXISTING_GROUP_POLICY = "policy-existing-group.json"
POLICIES = (FULL_POLICY, EXISTING_GROUP_POLICY)
# Calls made only when we create the group.
GROUP_CREATION_OPERATIONS = {"CreateLogGroup", "PutRetentionPolicy"}


def policy(name: str = FULL_POLICY) -> dict[str, Any]:
    return json.loads((DEPLOY / "iam" / name).read_text())


def as_list(x: Any) -> list[Any]:
    return x if isinstance(x, list) else [x]


def allowed(action: str, resource: str, name: str = FULL_POLICY) -> bool:
    """IAM's matching for Allow statements: `*` and `?` wildcards in actions and resources."""
    for s in policy(name)["Statement"]:
        if s["Effect"] != "Allow":
            continue
        if not any(fnmatch.fnmatchcase(action, a) for a in as_list(s["Action"])):
            continue
        if any(fnmatch.fnmatchcase(resource, r) for r in as_list(s["Resource"])):
            return True
    return False


def arn(group: str, stream: str | None = None, suffix: str = "") -> str:
    base = f"arn:aws:logs:REGION:{ACCOUNT_PLACEHOLDER}:log-group:{group}"
    return base + (f":log-stream:{stream}" if stream else suffix)


def test_iam_policy_grants_exactly_the_calls_the_code_makes() -> None:
    granted = {a for s in policy()["Statement"] for a in as_list(s["Action"])}
    assert granted == {f"logs:{op}" for op in logs_operations_the_code_calls()}


def test_the_existing_group_policy_grants_only_creating_streams_and_putting_events() -> None:
    granted = {a for s in policy(EXISTING_GROUP_POLICY)["Statement"] for a in as_list(s["Action"])}
    assert granted == {f"logs:{op}"
                       for op in logs_operations_the_code_calls() - GROUP_CREATION_OPERATIONS}
    assert granted == {"logs:CreateLogStream", "logs:PutLogEvents"}


@pytest.mark.parametrize("name", POLICIES)
def test_iam_policy_resources_are_the_heartbeat_log_group_only(name: str) -> None:
    group = "/monorepo-fem/heartbeat"
    for s in policy(name)["Statement"]:
        for resource in as_list(s["Resource"]):
            assert resource != "*"
            assert resource.startswith(arn(group)), resource
    # The ARNs each call is authorized against (service authorization reference: the group
    # operations act on the log-group, PutLogEvents on the log-stream), in both spellings of a
    # group's ARN.
    group_operations = ["CreateLogStream"]
    if name == FULL_POLICY:
        group_operations += sorted(GROUP_CREATION_OPERATIONS)
    for op in group_operations:
        assert allowed(f"logs:{op}", arn(group), name), op
        assert allowed(f"logs:{op}", arn(group, suffix=":*"), name), op
    assert allowed("logs:PutLogEvents", arn(group, "heartbeat-node-1-2026-01-01"), name)
    # Nothing else.
    for other in ("/monorepo-fem/heartbeat-other", "/monorepo-fem", "/other"):
        assert not allowed("logs:CreateLogGroup", arn(other), name), other
        assert not allowed("logs:PutLogEvents", arn(other, "s"), name), other
    assert not allowed("logs:DeleteLogGroup", arn(group), name)
    if name == EXISTING_GROUP_POLICY:
        assert not allowed("logs:CreateLogGroup", arn(group), name)


def test_iam_policy_group_is_the_group_the_manifests_publish_to() -> None:
    groups = set()
    for _, doc in workloads():
        for c in doc["spec"]["template"]["spec"]["containers"]:
            groups.add(env_of(c)["CWP_LOG_GROUP"])
    task = json.loads((DEPLOY / "ecs/task-definition.json").read_text())
    for c in task["containerDefinitions"]:
        groups |= {e["value"] for e in c["environment"] if e["name"] == "CWP_LOG_GROUP"}
    assert groups == {"/monorepo-fem/heartbeat"}


# ------------------------------------------------------------------------------- alarm
ALARM = DEPLOY / "alarm"


def test_the_alarm_commands_are_dead_mans_switches() -> None:
    """deploy/alarm/alarms.sh (generated by `cloudwatch-publisher alarm`; the integration tests
    compare it with the command's output and run it against moto)."""
    script = (ALARM / "alarms.sh").read_text()
    commands = [c for c in re.sub(r"\\\n\s*", " ", script).splitlines()
                if c.startswith("aws ")]
    assert len(commands) == 4  # the heartbeat and the example crontab's three jobs
    for command in commands:
        words = shlex.split(command)
        assert words[:3] == ["aws", "cloudwatch", "put-metric-alarm"]
        value = {words[i]: words[i + 1] for i in range(3, len(words) - 1, 2)}
        assert value["--treat-missing-data"] == "breaching"
        assert value["--statistic"] == "Sum" and value["--threshold"] == "1"
        assert value["--comparison-operator"] == "LessThanThreshold"
        assert value["--datapoints-to-alarm"] == value["--evaluation-periods"]
        assert value["--metric-name"] in {"Heartbeat", "JobSuccess"}


def test_the_alarm_template_has_one_alarm_per_command() -> None:
    template = cfn.load_template(ALARM / "alarms.cfn.json")
    resources = template["Resources"]
    assert len(resources) == 4
    for name, resource in resources.items():
        assert resource["Type"] == "AWS::CloudWatch::Alarm"
        props = cfn.render(template, name, {"AlarmTopicArn": "arn:aws:sns:REGION:1:t"})
        assert props["TreatMissingData"] == "breaching"
        assert props["AlarmActions"] == ["arn:aws:sns:REGION:1:t"]
        assert "AlarmActions" not in cfn.render(template, name, {})


def test_the_dashboard_template_has_one_dashboard() -> None:
    template = cfn.load_template(ALARM / "dashboard.cfn.json")
    [resource] = template["Resources"].values()
    assert resource["Type"] == "AWS::CloudWatch::Dashboard"


# ------------------------------------------------------------------------------- README
def test_readme_examples_are_the_files_in_deploy() -> None:
    mentioned = set(re.findall(r"deploy/[\w./-]*[\w]", README))
    files = {str(p.relative_to(REPO)) for p in DEPLOY.rglob("*") if p.is_file()}
    dirs = {str(p.relative_to(REPO)) for p in DEPLOY.rglob("*") if p.is_dir()}
    missing = sorted(m for m in mentioned if m not in files and m not in dirs)
    assert not missing, f"README mentions deploy paths that do not exist: {missing}"
    unmentioned = sorted(files - mentioned)
    assert not unmentioned, f"deploy files the README does not mention: {unmentioned}"
    for section in ("## Deploy", "## Alarms and dashboard"):
        assert section in README, section


# ------------------------------------------------------------------------------- examples
def instructions(dockerfile: str) -> list[str]:
    """A Dockerfile's instructions, continuation lines joined and blanks squeezed."""
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    return [" ".join(line.split()) for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_the_jobs_page_shows_the_example_dockerfile() -> None:
    """docs/jobs.md "Your own image" is abridged: its FROM, RUN, COPY, USER and ENTRYPOINT
    instructions are those of examples/jobs/Dockerfile, word for word."""
    [shown] = readme_examples.blocks("dockerfile")
    real = instructions((REPO / "examples/jobs/Dockerfile").read_text())
    kept = ("ARG", "FROM", "RUN", "COPY", "USER", "VOLUME", "ENTRYPOINT", "CMD")
    for instruction in instructions(shown):
        if instruction.split()[0] in kept:
            assert instruction in real, instruction
    assert [i for i in real if i.startswith("COPY")] == [
        i for i in instructions(shown) if i.startswith("COPY")]
