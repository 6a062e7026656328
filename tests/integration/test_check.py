"""`cloudwatch-publisher check` against moto (auth on), read back with the AWS CLI.

Spec: a preflight printing one line per check (region, endpoints, credentials, caller identity,
clock skew, log group, log stream, write access) with ✔/✘ and, on failure, an indented hint
saying what to do. Read-only unless --write (then: create group/stream if missing, put one test
event). `--output json` for machines. Colour only on a TTY and never with NO_COLOR.
Exit codes: 0 publishing would work, 1 a check failed, 2 usage error or no credentials,
3 AWS rejected the credentials. Secrets never appear in the output.
"""

from __future__ import annotations

import json
import os
import pty
import re
import secrets
import shlex
import string
import subprocess
import time
from pathlib import Path

import readme_examples
from conftest import BinaryResult, binary_env
from moto_server import ACCOUNT_ID

DEFAULT_GROUP = "/monorepo-fem/heartbeat"
CHECKS = [
    "region",
    "endpoints",
    "credentials",
    "caller identity",
    "clock skew",
    "log group",
    "log stream",
    "write access",
]
PASS, FAIL, SKIP = "\u2714", "\u2718", "-"
LINE_RE = re.compile(r"^(\u2714|\u2718|-) ([a-z ]+): (.*)$")
ANSI = "\x1b["


def random_secret(n: int = 40) -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(n))


def report(result: BinaryResult) -> dict[str, tuple[str, str, str]]:
    """{check name: (symbol, detail, hint-or-note)} from the text output; asserts its shape: one
    line per check in the documented order, hints indented under their check, a result line."""
    lines = result.stdout.splitlines()
    assert lines and lines[-1].startswith("result: "), result.describe()
    checks: dict[str, tuple[str, str, str]] = {}
    order: list[str] = []
    for line in lines[:-1]:
        if line.startswith("    hint: ") or line.startswith("    note: "):
            assert order, result.describe()
            symbol, detail, _ = checks[order[-1]]
            checks[order[-1]] = (symbol, detail, line[len("    hint: ") :])
            continue
        m = LINE_RE.match(line)
        assert m, f"unexpected line {line!r}\n{result.describe()}"
        checks[m.group(2)] = (m.group(1), m.group(3), "")
        order.append(m.group(2))
    assert order == CHECKS, result.describe()
    return checks


def check(run_binary, env: dict[str, str | None], *args: str) -> BinaryResult:
    return run_binary(["check", *args], env=env)


# ------------------------------------------------------------------------------- healthy
def test_healthy_setup_passes_every_check_and_creates_nothing(moto, run_binary) -> None:
    result = check(run_binary, moto.env("publisher"))
    assert result.rc == 0, result.describe()
    checks = report(result)
    assert all(symbol == PASS for symbol, _, _ in checks.values()), result.describe()
    assert checks["region"][1] == f"{moto.region} (AWS_REGION)"
    assert f"CloudWatch Logs {moto.endpoint} (AWS_ENDPOINT_URL)" in checks["endpoints"][1]
    key = moto.publisher.access_key_id
    assert checks["credentials"][1] == f"environment, access key ****{key[-4:]}, does not expire"
    assert checks["caller identity"][1] == (
        f"arn:aws:iam::{ACCOUNT_ID}:user/publisher (account {ACCOUNT_ID})"
    )
    assert checks["clock skew"][1] == "local clock within 1 s of AWS"
    # The least-privilege identity may not describe: that is said, and is not a failure.
    assert "logs:DescribeLogGroups is not allowed" in checks["log group"][1]
    assert "publishing does not need it" in checks["log group"][2]
    assert checks["write access"][1] == "not tested (read-only check)"
    assert "check --write" in checks["write access"][2]
    assert result.stdout.splitlines()[-1].startswith("result: no problem found")
    assert ANSI not in result.stdout, "no colour when stdout is not a terminal"
    assert moto.log_groups() == [], "a check without --write must not create anything"


def test_with_describe_permission_says_whether_group_and_stream_exist(
    moto, run_binary, aws_cli, today
) -> None:
    before = report(check(run_binary, moto.env("reader")))
    assert before["log group"][:2] == (
        PASS,
        f"{DEFAULT_GROUP} does not exist; will be created on first publish",
    )
    assert before["log stream"][:2] == (
        PASS,
        f"heartbeat-{today} does not exist; will be created on first publish",
    )
    aws_cli("reader", "logs", "create-log-group", "--log-group-name", DEFAULT_GROUP)
    aws_cli(
        "reader", "logs", "create-log-stream",
        "--log-group-name", DEFAULT_GROUP, "--log-stream-name", f"heartbeat-{today}",
    )
    after = check(run_binary, moto.env("reader"))
    assert after.rc == 0, after.describe()
    # moto 5.2.1 returns no logGroupClass: a group without one is STANDARD (the service's default).
    assert report(after)["log group"][:2] == (PASS, f"{DEFAULT_GROUP} exists (class STANDARD)")
    assert report(after)["log stream"][:2] == (PASS, f"heartbeat-{today} exists")


def test_write_creates_group_and_stream_and_puts_a_test_event_the_cli_can_read(
    moto, run_binary, get_events, today
) -> None:
    started_ms = int(time.time() * 1000)
    result = check(run_binary, moto.env("publisher"), "--write")
    assert result.rc == 0, result.describe()
    checks = report(result)
    assert all(symbol == PASS for symbol, _, _ in checks.values()), result.describe()
    assert checks["log group"][1] == f"{DEFAULT_GROUP} created"
    assert checks["log stream"][1] == f"heartbeat-{today} created"
    assert checks["write access"][1] == f"test event accepted in {DEFAULT_GROUP}/heartbeat-{today}"

    (event,) = get_events(DEFAULT_GROUP, f"heartbeat-{today}")
    assert abs(event["timestamp"] - started_ms) < 60_000, event
    body = json.loads(event["message"])
    assert body["event"] == "check", "the test event must not look like a heartbeat"
    assert "not a heartbeat" in body["message"], body

    again = report(check(run_binary, moto.env("publisher"), "--write"))
    assert again["log group"][1] == f"{DEFAULT_GROUP} exists"
    assert again["log stream"][1] == f"heartbeat-{today} exists"


def test_json_output_parses_and_has_the_verdict_facts_and_every_check(moto, run_binary) -> None:
    result = check(run_binary, moto.env("publisher"), "--output", "json")
    assert result.rc == 0, result.describe()
    assert ANSI not in result.stdout
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and doc["exit_code"] == 0 and doc["write"] is False, doc
    facts = doc["facts"]
    assert facts["region"] == moto.region and facts["region_source"] == "AWS_REGION", facts
    assert facts["logs_endpoint"] == moto.endpoint, facts
    assert facts["credentials_provider"] == "environment", facts
    assert facts["credentials_expiration"] == "never", facts
    assert facts["account"] == ACCOUNT_ID, facts
    assert facts["arn"].endswith(":user/publisher"), facts
    assert abs(facts["clock_offset_ms"]) < 2000, facts
    assert facts["log_group"] == DEFAULT_GROUP, facts
    assert [c["name"] for c in doc["checks"]] == CHECKS
    for c in doc["checks"]:
        assert set(c) == {"name", "status", "ok", "detail", "hint"}, c
        assert c["status"] == "pass" and c["ok"] is True, c


def test_json_output_of_a_failure_says_which_check_failed_and_why(
    moto, run_binary, closed_endpoint
) -> None:
    env = {**moto.env("publisher", endpoint=closed_endpoint), "AWS_MAX_ATTEMPTS": "1"}
    result = check(run_binary, env, "--output", "json")
    assert result.rc == 1, result.describe()
    doc = json.loads(result.stdout)
    assert doc["ok"] is False and doc["exit_code"] == 1, doc
    by_name = {c["name"]: c for c in doc["checks"]}
    assert by_name["caller identity"]["status"] == "fail"
    assert closed_endpoint in by_name["caller identity"]["hint"]
    assert by_name["log group"]["status"] == "skip"


# ------------------------------------------------------------------------------- failures
def test_no_credentials_exit_2_with_how_to_provide_them(
    moto, run_binary, without_credentials
) -> None:
    result = check(run_binary, without_credentials)
    assert result.rc == 2, result.describe()
    checks = report(result)
    symbol, detail, hint = checks["credentials"]
    assert symbol == FAIL, result.describe()
    assert "no AWS credentials found" in detail, detail
    for needle in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE", "role"):
        assert needle in hint, (needle, hint)
    for name in ("caller identity", "clock skew", "log group", "log stream", "write access"):
        assert checks[name][0] == SKIP, result.describe()


def test_wrong_secret_exit_3_with_a_key_pair_hint(moto, run_binary) -> None:
    wrong = random_secret()
    env = {**moto.env("publisher"), "AWS_SECRET_ACCESS_KEY": wrong}
    result = check(run_binary, env)
    assert result.rc == 3, result.describe()
    symbol, detail, hint = report(result)["caller identity"]
    assert symbol == FAIL
    assert "SignatureDoesNotMatch" in detail, detail
    key = moto.publisher.access_key_id
    assert f"the secret access key does not belong to access key ****{key[-4:]}" in hint, hint
    assert wrong not in result.stdout + result.stderr
    # moto's error answer carries a Date too: the clock is still checked.
    assert report(result)["clock skew"][0] == PASS


def test_missing_permission_names_the_actions_and_the_log_group_arn(moto, run_binary) -> None:
    result = check(run_binary, moto.env("nologs"), "--write")
    assert result.rc == 1, result.describe()
    checks = report(result)
    # A denied CreateLogGroup is taken, as publishing takes it, to mean a pre-created group; the
    # stream's creation is the check that fails.
    assert checks["log group"][:2] == (
        PASS, f"{DEFAULT_GROUP}: not created (logs:CreateLogGroup is not allowed)")
    symbol, detail, hint = checks["log stream"]
    assert symbol == FAIL, result.describe()
    assert "AccessDenied" in detail, detail
    assert hint == (
        f"arn:aws:iam::{ACCOUNT_ID}:user/nologs may not call logs:CreateLogStream: allow "
        "logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents on "
        f"arn:aws:logs:{moto.region}:{ACCOUNT_ID}:log-group:{DEFAULT_GROUP}:*"
    )
    assert checks["write access"][0] == SKIP
    assert moto.log_groups() == []


def test_unreachable_endpoint_names_the_url_and_what_to_check(
    moto, run_binary, closed_endpoint
) -> None:
    env = {**moto.env("publisher", endpoint=closed_endpoint), "AWS_MAX_ATTEMPTS": "1"}
    result = check(run_binary, env)
    assert result.rc == 1, result.describe()
    checks = report(result)
    symbol, _, hint = checks["caller identity"]
    assert symbol == FAIL, result.describe()
    assert f"could not reach {closed_endpoint}" in hint, hint
    assert "the endpoint comes from AWS_ENDPOINT_URL" in hint, hint
    assert "HTTPS_PROXY" in hint, hint
    assert checks["clock skew"][0] == SKIP


def test_session_token_and_secret_never_appear_in_text_or_json(moto, run_binary) -> None:
    token = "IQoJb3JpZ2luX2VjE" + random_secret(60)
    env = {**moto.env("publisher"), "AWS_SESSION_TOKEN": token}
    for args in ([], ["--output", "json"], ["--write"]):
        result = check(run_binary, env, *args)
        # moto does not accept a session token with an IAM user's key.
        assert result.rc == 3, result.describe()
        output = result.stdout + result.stderr
        assert token not in output and moto.publisher.secret_access_key not in output


def signatures_seen(fault_proxy) -> list[str]:
    """The Signature= values of every request the proxy received."""
    out = []
    for req in fault_proxy.requests():
        auth = req["headers"].get("Authorization", "")
        if "Signature=" in auth:
            out.append(auth.split("Signature=", 1)[1].split(",")[0])
    return out


def test_server_text_quoting_the_requests_secrets_never_reaches_the_output(
    moto, run_binary, fault_proxy
) -> None:
    """AWS quotes the canonical request (x-amz-security-token included) in a signature-mismatch
    message; the proxy here quotes every header, Authorization too. None of it may be printed."""
    token = "IQoJb3JpZ2luX2VjE" + random_secret(60)
    env = {**moto.env("publisher", endpoint=fault_proxy.url), "AWS_SESSION_TOKEN": token}
    fault_proxy.add_faults({"match": "*", "status": 403, "type": "SignatureDoesNotMatch",
                            "echo_request": True, "times": None})
    for args in ([], ["--output", "json"]):
        result = check(run_binary, env, *args)
        assert result.rc == 3, result.describe()
        output = result.stdout + result.stderr
        assert "x-amz-security-token:[redacted]" in output, result.describe()
        assert token not in output and moto.publisher.secret_access_key not in output
        signatures = signatures_seen(fault_proxy)
        assert signatures, "the calls were signed and went through the proxy"
        for signature in signatures:
            assert signature not in output, result.describe()


def test_an_unknown_output_format_is_a_usage_error_naming_the_option(moto, run_binary) -> None:
    result = check(run_binary, moto.env("publisher"), "--output", "yaml")
    assert result.rc == 2, result.describe()
    assert "--output" in result.stderr, result.describe()
    assert result.stdout == ""


# ------------------------------------------------------------------------------- terminal
def run_on_a_terminal(binary: Path, env: dict[str, str | None], home: Path) -> tuple[int, str]:
    """Runs `check` with stdout on a pseudo-terminal; returns (exit code, what it printed)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(binary), "check"],
        env=binary_env(home, env),
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.PIPE,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 4096)  # returns as soon as output exists; EIO at hang-up
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    proc.stderr.read()
    return proc.wait(timeout=30), b"".join(chunks).decode("utf-8", "replace")


def test_colour_only_on_a_terminal_and_never_with_no_color(moto, binary, clean_home) -> None:
    rc, text = run_on_a_terminal(binary, moto.env("publisher"), clean_home)
    assert rc == 0, text
    assert f"\x1b[32m{PASS}\x1b[0m region: " in text, repr(text)
    rc, plain = run_on_a_terminal(binary, {**moto.env("publisher"), "NO_COLOR": "1"}, clean_home)
    assert rc == 0, plain
    assert ANSI not in plain and f"{PASS} region: " in plain, repr(plain)
    for output in (text, plain):
        for secret in moto.secrets():
            assert secret not in output


# ------------------------------------------------------------------------------- README
def readme_section() -> str:
    return readme_examples.section("Preflight: `check`")


def test_readme_check_example_runs_and_its_sample_output_is_what_check_prints(
    moto, run_binary
) -> None:
    section = readme_section()
    commands = re.search(r"```sh\n(.*?)```", section, re.S).group(1).strip().splitlines()
    assert commands, "the README's check section has no example"
    sample = re.search(r"```text\n(.*?)```", section, re.S).group(1)
    for command in commands:
        argv = shlex.split(command, comments=True)
        assert argv[0] == "cloudwatch-publisher", command
        result = run_binary(argv[1:], env=moto.env("publisher"))
        assert result.rc == 0, result.describe()
        if argv[1:] == ["check"]:
            # The sample was made against the local emulator on port 5000 with the AWS example
            # key: only the port, the key's last four characters and the date differ.
            key = moto.publisher.access_key_id
            actual = result.stdout.replace(moto.endpoint, "http://127.0.0.1:5000")
            actual = actual.replace(f"****{key[-4:]}", "****MPLE")
            actual = re.sub(r"heartbeat-\d{4}-\d{2}-\d{2}", "heartbeat-2026-01-01", actual)
            assert actual == sample, f"README sample differs from the real output:\n{actual}"
