"""Heartbeats in Embedded Metric Format (CWP_EMF_NAMESPACE): the dead-man's switch.

moto stores EMF events verbatim and extracts no metrics (testing-with-moto.md section 5), so
these tests check what CloudWatch would need to extract the `Heartbeat` metric: the stored event
is a valid EMF document (checked against the EMF specification below, independently of the C++
code), and the PutLogEvents request carried `x-amzn-logs-format: json/emf` on the wire (seen by
the fault proxy in front of moto).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "support"))

import readme_examples  # noqa: E402

GROUP = "/emf/heartbeat"
NAMESPACE = "CloudWatchPublisher"
EMF_HEADER = "x-amzn-logs-format"
PUBLISHED = "Successfully published log to CloudWatch Logs"
HEARTBEAT_FIELDS = ("event", "status", "service", "host", "version", "sequence", "id",
                    "timestamp", "uptime_s", "schedule")
# CloudWatch StandardUnit values (PutMetricData / EMF).
STANDARD_UNITS = {
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
    "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
    "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
    "Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second",
    "Terabits/Second", "Count/Second", "None",
}


def assert_valid_emf(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Checks a log event's JSON against the EMF specification; returns its metric directives."""
    aws = doc.get("_aws")
    assert isinstance(aws, dict), "EMF needs a root _aws object"
    assert isinstance(aws.get("Timestamp"), int) and aws["Timestamp"] > 0, aws
    directives = aws.get("CloudWatchMetrics")
    assert isinstance(directives, list) and directives, aws
    for d in directives:
        assert isinstance(d.get("Namespace"), str) and 1 <= len(d["Namespace"]) <= 255, d
        assert isinstance(d.get("Dimensions"), list), d
        for dimension_set in d["Dimensions"]:
            assert isinstance(dimension_set, list) and len(dimension_set) <= 30, d
            for name in dimension_set:
                assert isinstance(doc.get(name), str), f"dimension {name!r} not a root string"
        assert isinstance(d.get("Metrics"), list) and 1 <= len(d["Metrics"]) <= 100, d
        for m in d["Metrics"]:
            value = doc.get(m["Name"])
            numbers = value if isinstance(value, list) else [value]
            assert all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in numbers), m
            assert m.get("Unit", "None") in STANDARD_UNITS, m
            assert m.get("StorageResolution", 60) in (1, 60), m
    return directives


def header(request: dict[str, Any], name: str) -> str | None:
    for key, value in request["headers"].items():
        if key.lower() == name.lower():
            return value
    return None


def signed_headers(request: dict[str, Any]) -> list[str]:
    match = re.search(r"SignedHeaders=([^,\s]+)", header(request, "Authorization") or "")
    assert match, request["headers"]
    return match.group(1).split(";")


def emf_env(moto, fault_proxy, **extra: str) -> dict[str, str]:
    return {
        **moto.env("publisher", endpoint=fault_proxy.url),
        "CWP_LOG_GROUP": GROUP,
        "CWP_LOG_STREAM": "emf-{hostname}",
        "CWP_HOSTNAME": "node-7",
        "CWP_EMF_NAMESPACE": NAMESPACE,
        **extra,
    }


def test_once_publishes_a_valid_emf_heartbeat_with_the_emf_header(
    moto, fault_proxy, run_binary, get_events
) -> None:
    result = run_binary(["once"], env=emf_env(moto, fault_proxy))
    assert result.rc == 0, result.describe()

    [event] = get_events(GROUP, "emf-node-7")
    doc = json.loads(event["message"])
    [directive] = assert_valid_emf(doc)
    assert directive["Namespace"] == NAMESPACE
    assert directive["Dimensions"] == [["LogGroup", "Host"]]
    assert directive["Metrics"] == [{"Name": "Heartbeat", "Unit": "Count"}]
    assert doc["Heartbeat"] == 1
    assert doc["LogGroup"] == GROUP and doc["Host"] == "node-7"
    assert doc["_aws"]["Timestamp"] == event["timestamp"]
    # Still a heartbeat line: every field a plain heartbeat has is there.
    assert all(field in doc for field in HEARTBEAT_FIELDS), doc
    assert doc["event"] == "heartbeat" and doc["host"] == "node-7"

    # Every PutLogEvents (the first is refused for the missing stream, the retry stores it).
    puts = fault_proxy.requests(match="PutLogEvents")
    assert puts and puts[-1]["status"] == 200, puts
    for put in puts:
        assert header(put, EMF_HEADER) == "json/emf", put["headers"]
        # Signed, so it cannot be altered in transit (moto verified the signature: auth is on).
        assert EMF_HEADER in signed_headers(put)
    others = [r for r in fault_proxy.requests() if r["operation"] != "PutLogEvents"]
    assert others and all(header(r, EMF_HEADER) is None for r in others), others


def test_the_daemon_sends_every_heartbeat_batch_as_emf_with_custom_dimensions(
    moto, fault_proxy, start_daemon, get_events
) -> None:
    env = emf_env(
        moto, fault_proxy, CWP_SCHEDULE="@every 1s", CWP_EMF_DIMENSIONS="Cluster=prod-eks,Host"
    )
    daemon = start_daemon(env)
    daemon.wait_for(lambda line: line["message"] == PUBLISHED, count=2, timeout=30)
    rc, _ = daemon.stop()
    assert rc == 0, daemon.text()

    puts = fault_proxy.requests(match="PutLogEvents")
    assert len(puts) >= 2
    assert all(header(p, EMF_HEADER) == "json/emf" for p in puts), [p["headers"] for p in puts]
    events = get_events(GROUP, "emf-node-7", expected=2)
    for event in events:
        doc = json.loads(event["message"])
        [directive] = assert_valid_emf(doc)
        assert directive["Dimensions"] == [["Cluster", "Host"]]
        assert doc["Cluster"] == "prod-eks" and doc["Host"] == "node-7"
        assert "LogGroup" not in doc


def test_without_a_namespace_heartbeats_are_plain_and_carry_no_emf_header(
    moto, fault_proxy, run_binary, get_events
) -> None:
    env = emf_env(moto, fault_proxy)
    del env["CWP_EMF_NAMESPACE"]
    result = run_binary(["once"], env=env)
    assert result.rc == 0, result.describe()
    [event] = get_events(GROUP, "emf-node-7")
    doc = json.loads(event["message"])
    assert "_aws" not in doc and "Heartbeat" not in doc, doc
    puts = fault_proxy.requests(match="PutLogEvents")
    assert puts and all(header(put, EMF_HEADER) is None for put in puts), puts


def test_invalid_emf_settings_are_exit_2_naming_the_setting(moto, run_binary) -> None:
    cases = [
        ({"CWP_EMF_NAMESPACE": "AWS/Logs"}, "CWP_EMF_NAMESPACE: "),
        ({"CWP_EMF_NAMESPACE": "N", "CWP_EMF_DIMENSIONS": "Host,Host"}, "CWP_EMF_DIMENSIONS: "),
        ({"CWP_EMF_DIMENSIONS": "Host"}, "CWP_EMF_DIMENSIONS: has no effect without"),
    ]
    for extra, prefix in cases:
        result = run_binary(["once"], env={**moto.env("publisher"), **extra})
        assert result.rc == 2, result.describe()
        [line] = result.err_lines
        assert line["level"] == "ERROR" and line["message"].startswith(prefix), line


def test_the_readme_example_publishes_the_emf_heartbeat_the_readme_shows(
    moto, run_binary, get_events, aws_cli, today
) -> None:
    shown = readme_examples.json_example('"_aws"')
    assert_valid_emf(shown)
    words = readme_examples.command("CWP_EMF_NAMESPACE=")
    assignments = dict(w.split("=", 1) for w in words if re.fullmatch(r"[A-Z_]+=\S*", w))
    argv = words[len(assignments):]
    assert argv[0] == "cloudwatch-publisher"
    identity = moto.create_identity(
        "readme-example",
        ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
         "logs:PutRetentionPolicy"],
    )
    result = run_binary(argv[1:], env={**moto.env(identity), **assignments})
    assert result.rc == 0, result.describe()
    assert result.err_lines == [], result.describe()

    [event] = get_events("/monorepo-fem/heartbeat", f"heartbeat-{today}")
    written = json.loads(event["message"])
    assert list(written) == list(shown), "the README's EMF example has other members, or order"
    assert written["_aws"]["CloudWatchMetrics"] == shown["_aws"]["CloudWatchMetrics"]
    assert written["Host"] == shown["Host"] == "node-7"
    [group] = aws_cli("reader", "logs", "describe-log-groups")["logGroups"]
    assert group["retentionInDays"] == int(assignments["CWP_RETENTION_DAYS"])
