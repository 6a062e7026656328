"""`cloudwatch-publisher once` against moto (auth on), read back with the AWS CLI as `reader`.

Spec: validate the environment, validate credentials with STS GetCallerIdentity, create the log
group and stream (already existing is fine), publish ONE heartbeat event, exit.
Exit codes: 0 delivered, 1 not delivered / AWS unreachable, 2 usage or missing credentials
configuration, 3 credentials rejected by AWS.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import string
import time
from typing import Any

import pytest
from conftest import BinaryResult
from moto_server import ACCOUNT_ID

DEFAULT_GROUP = "/monorepo-fem/heartbeat"
ENTRYPOINT = "cloudwatch-publisher-entrypoint"
PUBLISHER = "cloudwatch-publisher"
STARTING = "Starting CloudWatch Publisher container..."
CREDENTIALS_OK = "AWS credentials validated successfully"
PUBLISHED = "Successfully published log to CloudWatch Logs"
ISO_UTC_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00)$"
)
CLOCK_SLACK_MS = 5000


# ------------------------------------------------------------------------------- helpers
def utc_date() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")


def now_ms() -> int:
    return int(time.time() * 1000)


def random_secret(n: int = 40) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


def lines(result: BinaryResult) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(stdout lines, stderr lines); asserts every line is a JSON log line of the right level."""
    try:
        return result.out_lines, result.err_lines
    except AssertionError as e:
        raise AssertionError(f"{e}\n{result.describe()}") from None


def line_with(found: list[dict[str, Any]], message: str, result: BinaryResult) -> dict[str, Any]:
    for line in found:
        if line["message"] == message:
            return line
    raise AssertionError(f"no log line with message {message!r}\n{result.describe()}")


def error_mentioning(result: BinaryResult, *needles: str) -> dict[str, Any]:
    """The first ERROR line (stderr) whose JSON text contains every needle (case-insensitive)."""
    _, err = lines(result)
    for line in err:
        text = json.dumps(line).lower()
        if all(n.lower() in text for n in needles):
            return line
    raise AssertionError(f"no ERROR line on stderr mentioning {needles}\n{result.describe()}")


def published(result: BinaryResult) -> tuple[str, str]:
    """(log_group, log_stream) from the success line; asserts a clean successful run."""
    assert result.rc == 0, result.describe()
    out, err = lines(result)
    assert err == [], result.describe()
    line = line_with(out, PUBLISHED, result)
    assert line["service"] == PUBLISHER, line
    return line["log_group"], line["log_stream"]


def check_heartbeat(event: dict[str, Any], started_ms: int, ended_ms: int) -> dict[str, Any]:
    assert started_ms - CLOCK_SLACK_MS <= event["timestamp"] <= ended_ms + CLOCK_SLACK_MS, (
        f"event timestamp {event['timestamp']} not near the run [{started_ms}, {ended_ms}]"
    )
    body = json.loads(event["message"])
    assert isinstance(body, dict), event
    assert body["event"] == "heartbeat", body
    for key in ("host", "version", "id"):
        assert isinstance(body[key], str) and body[key], (key, body)
    assert isinstance(body["sequence"], int) and not isinstance(body["sequence"], bool), body
    assert isinstance(body["timestamp"], str) and ISO_UTC_RE.match(body["timestamp"]), body
    stamped = dt.datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
    stamped_ms = int(stamped.timestamp() * 1000)
    assert started_ms - CLOCK_SLACK_MS <= stamped_ms <= ended_ms + CLOCK_SLACK_MS, body
    return body


def run_once(run_binary, env: dict[str, Any], *args: str) -> tuple[BinaryResult, int, int]:
    started = now_ms()
    result = run_binary(["once", *args], env=env)
    return result, started, now_ms()


# ------------------------------------------------------------------------------- happy paths
def test_once_publishes_one_heartbeat_to_the_default_group_and_stream(
    moto, run_binary, get_events
) -> None:
    date_before = utc_date()
    result, started, ended = run_once(run_binary, moto.env("publisher"))
    group, stream = published(result)
    assert group == DEFAULT_GROUP
    assert stream in {f"heartbeat-{date_before}", f"heartbeat-{utc_date()}"}

    out, _ = lines(result)
    starting = line_with(out, STARTING, result)
    environment = line_with(
        out, f"Environment validation successful (AWS_REGION={moto.region})", result
    )
    credentials = line_with(out, CREDENTIALS_OK, result)
    done = line_with(out, PUBLISHED, result)
    assert [out.index(x) for x in (starting, environment, credentials, done)] == sorted(
        out.index(x) for x in (starting, environment, credentials, done)
    ), "start-up lines out of order"
    for line in (starting, environment, credentials):
        assert line["service"] == ENTRYPOINT, line
    assert credentials["account"] == ACCOUNT_ID
    assert credentials["arn"].endswith(":user/publisher"), credentials

    (event,) = get_events(group, stream)
    check_heartbeat(event, started, ended)


def test_a_second_once_appends_to_the_same_stream(moto, run_binary, get_events) -> None:
    first, started, _ = run_once(run_binary, moto.env("publisher"))
    second, _, ended = run_once(run_binary, moto.env("publisher"))
    assert published(first) == published(second)
    events = get_events(*published(second), expected=2)
    assert len(events) == 2, events
    bodies = [check_heartbeat(e, started, ended) for e in events]
    assert bodies[0]["id"] != bodies[1]["id"], "every heartbeat carries a unique id"


@pytest.mark.parametrize(
    "env_change, args, region",
    [
        pytest.param({"AWS_REGION": None}, [], "ap-southeast-2", id="default"),
        pytest.param(
            {"AWS_REGION": None, "AWS_DEFAULT_REGION": "us-west-2"}, [], "us-west-2",
            id="AWS_DEFAULT_REGION",
        ),
        pytest.param(
            {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-west-2"}, [], "eu-west-1",
            id="AWS_REGION-wins",
        ),
        pytest.param({"AWS_REGION": "eu-west-1"}, ["--region", "us-east-2"], "us-east-2",
                     id="flag-wins"),
    ],
)
def test_region_resolution(moto, run_binary, get_events, env_change, args, region) -> None:
    env = {**moto.env("publisher"), **env_change}
    result, started, ended = run_once(run_binary, env, *args)
    group, stream = published(result)
    out, _ = lines(result)
    line_with(out, f"Environment validation successful (AWS_REGION={region})", result)
    # moto keeps state per signing region: reading it back there proves what the binary signed
    (event,) = get_events(group, stream, region=region)
    check_heartbeat(event, started, ended)


def test_custom_group_and_stream_from_environment(moto, run_binary, get_events) -> None:
    env = {**moto.env("publisher"), "CWP_LOG_GROUP": "/it/env-group", "CWP_LOG_STREAM": "env-s"}
    result, started, ended = run_once(run_binary, env)
    assert published(result) == ("/it/env-group", "env-s")
    (event,) = get_events("/it/env-group", "env-s")
    check_heartbeat(event, started, ended)


def test_custom_group_and_stream_from_flags(moto, run_binary, get_events) -> None:
    result, started, ended = run_once(
        run_binary, moto.env("publisher"), "--log-group", "/it/flag-group", "--log-stream", "flag-s"
    )
    assert published(result) == ("/it/flag-group", "flag-s")
    (event,) = get_events("/it/flag-group", "flag-s")
    check_heartbeat(event, started, ended)


def test_flags_win_over_environment(moto, run_binary, get_events) -> None:
    env = {**moto.env("publisher"), "CWP_LOG_GROUP": "/it/env", "CWP_LOG_STREAM": "env-s"}
    result, _, _ = run_once(run_binary, env, "--log-group", "/it/flag", "--log-stream", "flag-s")
    assert published(result) == ("/it/flag", "flag-s")
    assert [g["logGroupName"] for g in moto.log_groups()] == ["/it/flag"]
    assert len(get_events("/it/flag", "flag-s")) == 1


def test_date_placeholder_in_a_custom_stream_template(moto, run_binary, get_events) -> None:
    date_before = utc_date()
    env = {**moto.env("publisher"), "CWP_LOG_STREAM": "app-{date}-x"}
    result, started, ended = run_once(run_binary, env)
    group, stream = published(result)
    assert group == DEFAULT_GROUP
    assert stream in {f"app-{date_before}-x", f"app-{utc_date()}-x"}
    (event,) = get_events(group, stream)
    check_heartbeat(event, started, ended)


# ------------------------------------------------------------------------------- endpoints
def test_per_service_endpoints_win_over_aws_endpoint_url(
    moto, run_binary, fault_proxy, get_events, closed_endpoint
) -> None:
    env = {
        **moto.env("publisher", endpoint=closed_endpoint),  # would fail if used
        "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": fault_proxy.url,
        "AWS_ENDPOINT_URL_STS": fault_proxy.url,
    }
    result, started, ended = run_once(run_binary, env)
    group, stream = published(result)
    requests = fault_proxy.requests()
    services = {r["service"] for r in requests}
    assert services == {"sts", "logs"}, requests
    assert any(r["action"] == "GetCallerIdentity" for r in requests), requests
    assert any(r["operation"] == "PutLogEvents" and r["status"] == 200 for r in requests)
    (event,) = get_events(group, stream)
    check_heartbeat(event, started, ended)


def test_logs_endpoint_variable_routes_only_logs_calls(moto, run_binary, fault_proxy) -> None:
    env = {**moto.env("publisher"), "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": fault_proxy.url}
    result, _, _ = run_once(run_binary, env)
    published(result)
    requests = fault_proxy.requests()
    assert requests, "no CloudWatch Logs call went through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"
    assert all(r["service"] == "logs" for r in requests), requests
    assert all((r["target"] or "").startswith("Logs_20140328.") for r in requests), requests
    put = [r for r in requests if r["operation"] == "PutLogEvents" and r["status"] == 200]
    assert len(put) == 1, requests
    assert json.loads(put[0]["body"])["logGroupName"] == DEFAULT_GROUP


def test_puts_first_and_creates_only_what_the_service_says_is_missing(
    moto, run_binary, fault_proxy
) -> None:
    env = {**moto.env("publisher"), "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": fault_proxy.url,
           "CWP_LOG_GROUP": "/put-first"}
    published(run_once(run_binary, env)[0])
    calls = [r["operation"] for r in fault_proxy.requests()]
    # A new group: the put is refused (ResourceNotFound), the stream cannot be made without the
    # group, so the group, then the stream, then the put again (published() saw it succeed).
    assert calls == ["PutLogEvents", "CreateLogStream", "CreateLogGroup", "CreateLogStream",
                     "PutLogEvents"], calls
    fault_proxy.clear_requests()
    # Group and stream exist now (as for a fleet starting at once): one call, no create.
    published(run_once(run_binary, env)[0])
    calls = [r["operation"] for r in fault_proxy.requests()]
    assert calls == ["PutLogEvents"], calls


def test_unreachable_endpoint_fails_fast_with_exit_1(moto, run_binary, closed_endpoint) -> None:
    env = moto.env("publisher", endpoint=closed_endpoint)
    started = time.monotonic()
    result = run_binary(["once"], env=env, timeout=60)
    elapsed = time.monotonic() - started
    assert result.rc == 1, result.describe()
    _, err = lines(result)
    assert err, f"expected an ERROR line\n{result.describe()}"
    assert elapsed < 20, f"took {elapsed:.1f} s to give up on a closed port"
    assert moto.log_groups() == []


# ------------------------------------------------------------------------------- failures
def test_once_publishes_while_sts_is_unreachable_with_one_warning(
    moto, run_binary, get_events, closed_endpoint
) -> None:
    """STS is a diagnostic, never a gate: a private subnet with a CloudWatch Logs endpoint and no
    STS endpoint still gets its heartbeat."""
    env = {**moto.env("publisher"), "AWS_ENDPOINT_URL_STS": closed_endpoint}
    result, started, ended = run_once(run_binary, env)
    assert result.rc == 0, result.describe()
    out, err = lines(result)
    sts = [l for l in out + err if l["message"].startswith("Could not reach AWS STS")]
    assert len(sts) == 1 and sts[0]["level"] == "WARN", result.describe()
    assert closed_endpoint in sts[0]["message"]
    assert err == [], "no ERROR line: the heartbeat was delivered"
    group, stream = published(result)
    (event,) = get_events(group, stream)
    check_heartbeat(event, started, ended)


def test_wrong_secret_is_rejected_with_exit_3(moto, run_binary) -> None:
    wrong = random_secret()
    env = {**moto.env("publisher"), "AWS_SECRET_ACCESS_KEY": wrong}
    result = run_binary(["once"], env=env)
    assert result.rc == 3, result.describe()
    error_mentioning(result, "credentials", "SignatureDoesNotMatch")
    assert wrong not in result.stdout + result.stderr
    assert moto.publisher.secret_access_key not in result.stdout + result.stderr
    assert moto.log_groups() == [], "nothing may be published with rejected credentials"


def test_unknown_access_key_is_rejected_with_exit_3(moto, run_binary) -> None:
    env = {
        **moto.env("publisher"),
        "AWS_ACCESS_KEY_ID": "AKIA" + random_secret(16).upper(),
        "AWS_SECRET_ACCESS_KEY": random_secret(),
    }
    result = run_binary(["once"], env=env)
    assert result.rc == 3, result.describe()
    error_mentioning(result, "credentials", "InvalidClientTokenId")
    assert moto.log_groups() == []


def test_retry_warnings_and_errors_never_quote_the_requests_secrets(
    moto, run_binary, fault_proxy
) -> None:
    """A 500 whose message quotes the request back (token, Authorization) is retried: neither the
    WARN line of the retry nor the final ERROR may carry those secrets."""
    token = "IQoJb3JpZ2luX2VjE" + random_secret(60)
    env = {
        **moto.env("publisher", endpoint=fault_proxy.url),
        "AWS_SESSION_TOKEN": token,
        "AWS_MAX_ATTEMPTS": "2",
    }
    fault_proxy.add_faults({"match": "GetCallerIdentity", "status": 500, "type": "InternalFailure",
                            "echo_request": True, "times": None})
    result = run_binary(["once"], env=env)
    assert result.rc == 1, result.describe()
    out, err = lines(result)
    retries = [line for line in out if line["level"] == "WARN" and "retrying" in line["message"]]
    assert retries and all("[redacted]" in json.dumps(line) for line in retries), result.describe()
    output = result.stdout + result.stderr
    assert token not in output and moto.publisher.secret_access_key not in output
    for req in fault_proxy.requests("GetCallerIdentity"):
        auth = req["headers"]["Authorization"]
        assert auth not in output and auth.split("Signature=", 1)[1] not in output


@pytest.mark.parametrize("missing", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
def test_missing_credential_variable_is_exit_2_without_network(
    moto, run_binary, fault_proxy, missing
) -> None:
    env = {**moto.env("publisher", endpoint=fault_proxy.url), missing: None}
    result = run_binary(["once"], env=env)
    assert result.rc == 2, result.describe()
    error_mentioning(result, missing)
    assert fault_proxy.requests() == [], "no AWS call may be made without credentials"


def test_missing_logs_permission_is_exit_1(moto, run_binary) -> None:
    result = run_binary(["once"], env=moto.env("nologs"))
    assert result.rc == 1, result.describe()
    out, err = lines(result)
    line_with(out, CREDENTIALS_OK, result)  # the credentials themselves are fine
    assert any(
        "AccessDenied" in json.dumps(line) or "CreateLogGroup" in json.dumps(line) for line in err
    ), f"the ERROR should name AccessDenied or the denied action\n{result.describe()}"
    assert moto.log_groups() == []


def test_unknown_flag_is_a_usage_error(moto, run_binary, fault_proxy) -> None:
    env = moto.env("publisher", endpoint=fault_proxy.url)
    result = run_binary(["once", "--no-such-flag"], env=env)
    assert result.rc == 2, result.describe()
    assert result.stderr.strip(), "a usage error must say what is wrong"
    assert fault_proxy.requests() == []
