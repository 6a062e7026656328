"""`alarm` and `dashboard` against moto, with the real binary and the AWS CLI.

What `alarm --format cli` prints, run with sh, creates the alarms (read back with
describe-alarms): the heartbeat's and one per crontab job, each "Sum < 1, missing data
breaching" over a window that covers the schedule's longest gap plus timeout and grace, within
CloudWatch's rules for Period and EvaluationPeriods. The CloudFormation template's alarms, as
CloudFormation would pass them to PutMetricAlarm (tests/support/cfn.py: moto has no
AWS::CloudWatch::Alarm in CloudFormation), are the same alarms. The dashboard of a crontab with
three jobs and EMF on is accepted by put-dashboard, read back unchanged with get-dashboard, shows
the alarms `alarm` created by their ARNs, and references only metrics the program emits (the
heartbeat's as a real `once` writes it; the job metrics' link to the writer is checked in
tests/unit/monitoring/dashboard_test.cpp). The checked-in deploy/alarm files are what the
commands print. moto validates neither alarm periods nor dashboard bodies, so those rules are
checked here, from the CloudWatch documentation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "alarm"
sys.path.insert(0, str(REPO / "tests" / "support"))

import cfn  # noqa: E402
import readme_examples  # noqa: E402

GROUP = "/monorepo-fem/heartbeat"
ACCOUNT = "123456789012"  # moto's
TOPIC = f"arn:aws:sns:ap-southeast-2:{ACCOUNT}:ops-alerts"
DIMENSIONS = [{"Name": "LogGroup", "Value": GROUP}, {"Name": "Host", "Value": "node-7"}]
GRACE_S = 300
# The jobs of deploy/alarm/example.crontab: (name, longest gap between runs, timeout), seconds.
EXAMPLE_JOBS = [("backup", 86400, 600), ("cleanup", 3600, 0), ("sync-orders", 300, 240)]
HEARTBEAT_GAP_S = 60  # the default schedule, */1 * * * *


@pytest.fixture
def settings(moto) -> dict[str, str]:
    """The publisher's settings: EMF on, host node-7, the example crontab, moto's region."""
    return {
        "CWP_EMF_NAMESPACE": "CloudWatchPublisher",
        "CWP_HOSTNAME": "node-7",
        "CWP_CRONTAB": str(DEPLOY / "example.crontab"),
        "AWS_REGION": moto.region,
    }


@pytest.fixture
def sh_env(moto, aws_cli, clean_home, tmp_path) -> dict[str, str]:
    """An environment for running what the commands print with sh: `aws` on PATH is the tests'
    AWS CLI, with `admin`'s keys, pointed at moto. Alarms and dashboards of earlier tests are
    deleted first (moto's reset only clears log groups)."""
    alarms = aws_cli("admin", "cloudwatch", "describe-alarms")["MetricAlarms"]
    if alarms:
        aws_cli("admin", "cloudwatch", "delete-alarms", "--alarm-names",
                *[a["AlarmName"] for a in alarms])
    boards = aws_cli("admin", "cloudwatch", "list-dashboards")["DashboardEntries"]
    if boards:
        aws_cli("admin", "cloudwatch", "delete-dashboards", "--dashboard-names",
                *[b["DashboardName"] for b in boards])
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "aws"
    shim.write_text("#!/bin/sh\nexec " + " ".join(aws_cli.command) + ' "$@"\n')
    shim.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(clean_home),
        "AWS_ENDPOINT_URL": moto.endpoint,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_PAGER": "",
        **moto.identities["admin"].env(),
    }


def run_sh(env: dict[str, str], script: str) -> None:
    done = subprocess.run(["sh", "-e"], input=script, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, f"{done.stderr}\n--- script ---\n{script}"


def log_lines(text: str) -> list[dict[str, Any]]:
    """alarm and dashboard write all their log lines to stderr (stdout is what they generate)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def alarms_by_name(aws_cli) -> dict[str, dict[str, Any]]:
    return {a["AlarmName"]: a
            for a in aws_cli("admin", "cloudwatch", "describe-alarms")["MetricAlarms"]}


def assert_watchable(alarm: dict[str, Any], quiet_s: int) -> None:
    """The dead-man's switch, within CloudWatch's documented rules (PutMetricAlarm: Period 10,
    20, 30 or a multiple of 60; Period x EvaluationPeriods at most 7 days, at most 1 day when
    Period is under an hour), waiting at least `quiet_s` and less than one period more."""
    assert alarm["Namespace"] == "CloudWatchPublisher"
    assert alarm["Statistic"] == "Sum"
    assert alarm["ComparisonOperator"] == "LessThanThreshold" and alarm["Threshold"] == 1.0
    assert alarm["TreatMissingData"] == "breaching"
    period, periods = alarm["Period"], alarm["EvaluationPeriods"]
    assert alarm["DatapointsToAlarm"] == periods
    assert period % 60 == 0 and 60 <= period <= 86400
    assert period * periods <= (86400 if period < 3600 else 604800)
    assert quiet_s <= period * periods < quiet_s + period, (alarm["AlarmName"], period, periods)


def expected_quiet() -> dict[str, int]:
    """Alarm name -> the quiet time it must tolerate, from the example's schedules."""
    where = f"(LogGroup={GROUP}, Host=node-7)"
    out = {f"cloudwatch-publisher heartbeat missing {where}": HEARTBEAT_GAP_S + GRACE_S}
    for name, gap, timeout in EXAMPLE_JOBS:
        out[f"cloudwatch-publisher job {name} not succeeding {where}"] = gap + timeout + GRACE_S
    return out


# ------------------------------------------------------------------------------- alarm
def test_the_printed_commands_create_every_alarm(run_binary, settings, sh_env, aws_cli):
    result = run_binary(["alarm", "--sns-topic-arn", TOPIC], env=settings)
    assert result.rc == 0, result.describe()
    assert result.stderr == ""
    run_sh(sh_env, result.stdout)
    alarms = alarms_by_name(aws_cli)
    assert set(alarms) == set(expected_quiet())
    for name, quiet in expected_quiet().items():
        alarm = alarms[name]
        assert_watchable(alarm, quiet)
        assert alarm["AlarmActions"] == [TOPIC] and alarm["OKActions"] == [TOPIC]
        job = [d["Value"] for d in alarm["Dimensions"] if d["Name"] == "Job"]
        if job:
            assert alarm["MetricName"] == "JobSuccess"
            assert alarm["Dimensions"] == [*DIMENSIONS, {"Name": "Job", "Value": job[0]}]
        else:
            assert alarm["MetricName"] == "Heartbeat"
            assert alarm["Dimensions"] == DIMENSIONS
    # put-metric-alarm updates: running the commands again changes nothing.
    run_sh(sh_env, result.stdout)
    assert alarms_by_name(aws_cli).keys() == alarms.keys()


def test_the_cloudformation_alarms_are_the_same_alarms(run_binary, settings, sh_env, aws_cli,
                                                        tmp_path):
    commands = run_binary(["alarm", "--format", "cli"], env=settings)
    run_sh(sh_env, commands.stdout)
    from_cli = alarms_by_name(aws_cli)
    aws_cli("admin", "cloudwatch", "delete-alarms", "--alarm-names", *from_cli)

    result = run_binary(["alarm", "--format", "cloudformation"], env=settings)
    assert result.rc == 0, result.describe()
    template = json.loads(result.stdout)
    resources = template["Resources"]
    assert len(resources) == len(from_cli)
    for logical_id, resource in resources.items():
        assert logical_id.isalnum() and resource["Type"] == "AWS::CloudWatch::Alarm"
        props = cfn.render(template, logical_id, {"AlarmTopicArn": TOPIC})
        request = tmp_path / f"{logical_id}.json"
        request.write_text(json.dumps(props))
        aws_cli("admin", "cloudwatch", "put-metric-alarm", "--cli-input-json", f"file://{request}")
    from_cfn = alarms_by_name(aws_cli)
    assert from_cfn.keys() == from_cli.keys()
    compared = ("MetricName", "Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm",
                "Threshold", "ComparisonOperator", "TreatMissingData", "AlarmDescription")
    for name, alarm in from_cfn.items():
        assert {k: alarm[k] for k in compared} == {k: from_cli[name][k] for k in compared}
        assert alarm["AlarmActions"] == [TOPIC]
    # Without a topic the template's actions drop out.
    props = cfn.render(template, "HeartbeatAlarm", {})
    assert "AlarmActions" not in props and "OKActions" not in props


def test_a_weekly_job_gets_a_warning_and_no_alarm(run_binary, settings, tmp_path):
    crontab = tmp_path / "crontab"
    crontab.write_text("@daily /app/bin/backup\n@weekly /app/bin/report\n")
    result = run_binary(["alarm"], env={**settings, "CWP_CRONTAB": str(crontab)})
    assert result.rc == 0, result.describe()
    [warning] = log_lines(result.stderr)
    assert warning["level"] == "WARN"
    assert warning["message"].startswith('no alarm for job report ("@weekly")')
    assert "at most 7 days" in warning["message"]
    assert "# no alarm for job report" in result.stdout
    assert result.stdout.count("\naws cloudwatch put-metric-alarm") == 2  # heartbeat, backup


@pytest.mark.parametrize("args,env,says", [
    (["alarm"], {"CWP_EMF_NAMESPACE": None}, "CWP_EMF_NAMESPACE"),
    (["dashboard", "--account-id", ACCOUNT], {"CWP_EMF_NAMESPACE": None}, "CWP_EMF_NAMESPACE"),
    (["alarm", "--grace", "25h"], {}, "--grace"),
    (["alarm", "--grace", "5 minutes"], {}, "--grace"),
    (["alarm", "--format", "yaml"], {}, "--format"),
    (["alarm", "--sns-topic-arn", "ops-alerts"], {}, "--sns-topic-arn"),
    (["alarm"], {"CWP_SCHEDULE": "@weekly", "CWP_CRONTAB": None}, "nothing can be watched"),
    (["alarm"], {"CWP_CRONTAB": "/nonexistent/crontab"}, "CWP_CRONTAB"),
    (["alarm"], {"CWP_CRONTAB": str(DEPLOY)}, "is a directory"),
    (["dashboard"], {}, "--account-id"),
    (["dashboard", "--account-id", "12345"], {}, "--account-id"),
    (["dashboard", "--account-id", ACCOUNT, "--name", "my board"], {}, "--name"),
], ids=["alarm-no-emf", "dashboard-no-emf", "grace-too-long", "grace-unparsable", "format",
        "topic", "weekly-heartbeat", "missing-crontab", "crontab-directory", "no-account", "bad-account", "bad-name"])
def test_bad_input_is_exit_2_with_one_error_naming_it(run_binary, settings, args, env, says):
    result = run_binary(args, env={**settings, **env})
    assert result.rc == 2, result.describe()
    assert result.stdout == ""
    errors = [line for line in log_lines(result.stderr) if line["level"] == "ERROR"]
    assert len(errors) == 1 and says in errors[0]["message"], result.describe()


def test_a_crontab_error_names_the_file_line_and_column(run_binary, settings, tmp_path):
    crontab = tmp_path / "crontab"
    crontab.write_text("@hourly /app/bin/ok\n61 * * * * /app/bin/backup\n")
    for sub in (["alarm"], ["dashboard", "--account-id", ACCOUNT]):
        result = run_binary(sub, env={**settings, "CWP_CRONTAB": str(crontab)})
        assert result.rc == 2, result.describe()
        [error] = log_lines(result.stderr)
        assert f"{crontab}:2:1: minute field '61'" in error["message"], error


# ------------------------------------------------------------------------------- dashboard
def test_the_dashboard_of_three_jobs_is_accepted_and_shows_what_we_emit(
        run_binary, settings, sh_env, aws_cli, moto, get_events, today):
    run_sh(sh_env, run_binary(["alarm"], env=settings).stdout)
    created = {a["AlarmArn"] for a in alarms_by_name(aws_cli).values()}

    result = run_binary(["dashboard", "--format", "cli", "--account-id", ACCOUNT,
                         "--name", "publisher-node-7"], env=settings)
    assert result.rc == 0, result.describe()
    run_sh(sh_env, result.stdout)
    read = aws_cli("admin", "cloudwatch", "get-dashboard", "--dashboard-name", "publisher-node-7")
    body = json.loads(read["DashboardBody"])
    printed = run_binary(["dashboard", "--account-id", ACCOUNT], env=settings)
    assert body == json.loads(printed.stdout), "the body put-dashboard got is the json format's"
    assert_valid_body(body)

    widgets = body["widgets"]
    assert [w["type"] for w in widgets] == ["text", "alarm"] + ["metric"] * 5 + ["log"]
    shown = {arn for w in widgets if w["type"] == "alarm" for arn in w["properties"]["alarms"]}
    assert shown == created

    # The Heartbeat it shows is the metric a real EMF heartbeat declares.
    once = run_binary(["once"], env={**settings, **moto.env("publisher")})
    assert once.rc == 0, once.describe()
    [event] = get_events(GROUP, f"heartbeat-{today}")
    heartbeat = declared_metrics(json.loads(event["message"]))
    references = referenced_metrics(body)
    assert {m for m in references if m[1] == "Heartbeat"} == heartbeat
    # Every other metric is a job metric of a job of the crontab, under the same dimensions.
    jobs = {name for name, _, _ in EXAMPLE_JOBS}
    (namespace, _, dims), = heartbeat
    expected_jobs = {(namespace, metric, dims + (("Job", job),))
                     for job in jobs for metric in ("JobSuccess", "JobFailure", "JobDuration")}
    assert references - heartbeat == expected_jobs

    [log] = [w for w in widgets if w["type"] == "log"]
    query = log["properties"]["query"]
    assert query.startswith(f"SOURCE '{GROUP}' |")
    assert 'filter event = "job_result"' in query and "output_tail" in query


def test_the_dashboard_template_is_the_same_dashboard(run_binary, settings, sh_env, aws_cli,
                                                      tmp_path):
    result = run_binary(["dashboard", "--format", "cloudformation", "--name", "from-cfn"],
                        env=settings)
    assert result.rc == 0, result.describe()
    template = json.loads(result.stdout)
    [(logical_id, resource)] = template["Resources"].items()
    assert resource["Type"] == "AWS::CloudWatch::Dashboard"
    props = resource["Properties"]
    # Fn::Join of the body's parts with the stack's account, as CloudFormation evaluates it.
    separator, parts = props["DashboardBody"]["Fn::Join"]
    assert all(isinstance(p, str) or p == {"Ref": "AWS::AccountId"} for p in parts)
    body = separator.join(p if isinstance(p, str) else ACCOUNT for p in parts)
    aws_cli("admin", "cloudwatch", "put-dashboard", "--dashboard-name", props["DashboardName"],
            "--dashboard-body", body)
    read = aws_cli("admin", "cloudwatch", "get-dashboard", "--dashboard-name", "from-cfn")
    printed = run_binary(["dashboard", "--account-id", ACCOUNT], env=settings)
    assert json.loads(read["DashboardBody"]) == json.loads(printed.stdout)


def referenced_metrics(body: dict[str, Any]) -> set[tuple[Any, ...]]:
    """(namespace, metric, ((dimension, value), ...)) of every metric widget line."""
    out = set()
    for w in body["widgets"]:
        for line in w["properties"].get("metrics", []):
            names = line[:-1] if isinstance(line[-1], dict) else line
            out.add((names[0], names[1], tuple(zip(names[2::2], names[3::2]))))
    return out


def declared_metrics(doc: dict[str, Any]) -> set[tuple[Any, ...]]:
    """What an EMF document declares, with the dimension values it carries."""
    out = set()
    for directive in doc["_aws"]["CloudWatchMetrics"]:
        for dims in directive["Dimensions"]:
            for metric in directive["Metrics"]:
                assert metric["Name"] in doc
                out.add((directive["Namespace"], metric["Name"],
                         tuple((d, doc[d]) for d in dims)))
    return out


def assert_valid_body(body: dict[str, Any]) -> None:
    """The dashboard body structure CloudWatch documents: a 24-unit grid, widgets of a known
    type with their required properties, at most 500 widgets, 100 alarms per alarm widget."""
    assert set(body) == {"widgets"} and 0 < len(body["widgets"]) <= 500
    cells: set[tuple[int, int]] = set()
    for w in body["widgets"]:
        assert w["type"] in {"metric", "text", "log", "alarm"}
        assert 0 <= w["x"] and 1 <= w["width"] and w["x"] + w["width"] <= 24
        assert 0 <= w["y"] and 1 <= w["height"] <= 1000
        new = {(x, y) for x in range(w["x"], w["x"] + w["width"])
               for y in range(w["y"], w["y"] + w["height"])}
        assert not new & cells, f"widgets overlap: {w}"
        cells |= new
        props = w["properties"]
        if w["type"] == "metric":
            assert props["region"] and props["metrics"] and props["period"] % 60 == 0
        elif w["type"] == "log":
            assert props["region"] and props["query"].startswith("SOURCE '")
        elif w["type"] == "alarm":
            assert 0 < len(props["alarms"]) <= 100
            assert all(a.startswith("arn:aws:cloudwatch:") for a in props["alarms"])
        else:
            assert props["markdown"]


# ------------------------------------------------------------------------------- deploy/alarm
# The checked-in examples: what the commands print for the example crontab and these settings.
EXAMPLE_ENV = {"CWP_EMF_NAMESPACE": "CloudWatchPublisher", "CWP_HOSTNAME": "node-7",
               "AWS_REGION": "ap-southeast-2", "CWP_CRONTAB": str(DEPLOY / "example.crontab")}
EXAMPLES = {
    "alarms.sh": ["alarm", "--format", "cli"],
    "alarms.cfn.json": ["alarm", "--format", "cloudformation"],
    "dashboard.cfn.json": ["dashboard", "--format", "cloudformation"],
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_checked_in_examples_are_what_the_commands_print(run_binary, name):
    result = run_binary(EXAMPLES[name], env=EXAMPLE_ENV)
    assert result.rc == 0, result.describe()
    regenerate = (" ".join(f"{k}={v}" for k, v in EXAMPLE_ENV.items()).replace(str(REPO) + "/", "")
                  + f" cloudwatch-publisher {' '.join(EXAMPLES[name])} > deploy/alarm/{name}")
    assert (DEPLOY / name).read_text() == result.stdout, f"regenerate it: {regenerate}"


def test_the_documented_alarm_command_creates_the_alarms(run_binary, sh_env, aws_cli, moto):
    words = readme_examples.command("cloudwatch-publisher alarm")
    assert words[:2] == ["cloudwatch-publisher", "alarm"]
    args = [w.replace("/etc/cloudwatch-publisher/crontab", str(DEPLOY / "example.crontab"))
            .replace("REGION", moto.region) for w in words[1:]]
    result = run_binary(args[:args.index(">")] if ">" in args else args,
                        env={"CWP_EMF_NAMESPACE": "CloudWatchPublisher", "AWS_REGION": moto.region})
    assert result.rc == 0, result.describe()
    run_sh(sh_env, result.stdout)
    assert len(alarms_by_name(aws_cli)) == 1 + len(EXAMPLE_JOBS)
