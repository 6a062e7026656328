"""{instance_id} in stream templates, against moto, read back with the AWS CLI.

Spec: when CWP_LOG_STREAM (or CWP_SEND_STREAM) uses {instance_id}, the id is resolved once at
start: CWP_INSTANCE_ID first, then EC2 instance metadata (IMDSv2: PUT /latest/api/token, GET
/latest/meta-data/instance-id). When nothing answers: exit 2, an ERROR naming CWP_LOG_STREAM and
the fixes; a stream name is never rendered with an empty id. The metadata service here is a stub
on 127.0.0.1 (AWS_EC2_METADATA_SERVICE_ENDPOINT); the harness disables instance metadata for
every process, so these tests enable it explicitly and only ever point it at 127.0.0.1.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest

PUBLISHED = "Successfully published log to CloudWatch Logs"
RESOLVED = "Resolved {instance_id} from EC2 instance metadata"
INSTANCE_ID = "i-0123456789abcdef0"
TOKEN = "stub-imds-token"


class ImdsStub:
    """IMDSv2 on 127.0.0.1: a token for PUT /latest/api/token (TTL header required), the
    instance id for GET /latest/meta-data/instance-id with that token; records every request."""

    def __init__(self, instance_id: str) -> None:
        self.instance_id = instance_id
        self.requests: list[tuple[str, str]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: str) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self) -> None:  # noqa: N802 (http.server's naming)
                stub.requests.append(("PUT", self.path))
                if self.path != "/latest/api/token":
                    return self._answer(404, "")
                if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    return self._answer(400, "missing TTL")
                return self._answer(200, TOKEN)

            def do_GET(self) -> None:  # noqa: N802
                stub.requests.append(("GET", self.path))
                if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
                    return self._answer(401, "")
                if self.path != "/latest/meta-data/instance-id":
                    return self._answer(404, "")
                return self._answer(200, stub.instance_id)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def env(self) -> dict[str, str | None]:
        """Instance metadata enabled (the harness disables it) and pointed at this stub."""
        return {"AWS_EC2_METADATA_DISABLED": None, "AWS_EC2_METADATA_SERVICE_ENDPOINT": self.url}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def imds() -> Iterator[ImdsStub]:
    stub = ImdsStub(INSTANCE_ID)
    yield stub
    stub.stop()


def stream_names(aws_cli, group: str) -> list[str]:
    answer = aws_cli("reader", "logs", "describe-log-streams", "--log-group-name", group)
    return [s["logStreamName"] for s in answer["logStreams"]]


def test_once_names_the_stream_after_the_instance_metadata_id(
    moto, run_binary, imds, aws_cli, get_events, today
) -> None:
    env = {**moto.env("publisher"), **imds.env(), "CWP_LOG_STREAM": "heartbeat-{instance_id}-{date}"}
    result = run_binary(["once"], env=env)
    assert result.rc == 0, result.describe()
    expected = f"heartbeat-{INSTANCE_ID}-{today}"
    (resolved,) = [l for l in result.out_lines if l["message"] == RESOLVED]
    assert resolved["instance_id"] == INSTANCE_ID
    (done,) = [l for l in result.out_lines if l["message"] == PUBLISHED]
    assert done["log_stream"] == expected
    assert imds.requests == [("PUT", "/latest/api/token"), ("GET", "/latest/meta-data/instance-id")]
    assert stream_names(aws_cli, "/monorepo-fem/heartbeat") == [expected]
    (event,) = get_events("/monorepo-fem/heartbeat", expected)
    assert json.loads(event["message"])["event"] == "heartbeat"


def test_the_override_wins_and_instance_metadata_is_not_asked(
    moto, run_binary, imds, aws_cli
) -> None:
    env = {
        **moto.env("publisher"),
        **imds.env(),
        "CWP_LOG_STREAM": "hb-{instance_id}",
        "CWP_INSTANCE_ID": "i-pinned-by-operator",
    }
    result = run_binary(["once"], env=env)
    assert result.rc == 0, result.describe()
    assert imds.requests == []
    assert not [l for l in result.out_lines if l["message"] == RESOLVED]
    assert stream_names(aws_cli, "/monorepo-fem/heartbeat") == ["hb-i-pinned-by-operator"]


def test_a_template_without_the_placeholder_never_asks_instance_metadata(
    moto, run_binary, imds
) -> None:
    env = {**moto.env("publisher"), **imds.env(), "CWP_LOG_STREAM": "hb-{hostname}"}
    result = run_binary(["once", "--hostname", "node-7"], env=env)
    assert result.rc == 0, result.describe()
    assert imds.requests == []


@pytest.mark.parametrize(
    "metadata, reason",
    [
        pytest.param({}, "AWS_EC2_METADATA_DISABLED=true", id="disabled"),
        pytest.param(
            {"AWS_EC2_METADATA_DISABLED": None, "AWS_EC2_METADATA_SERVICE_ENDPOINT": "closed"},
            "is not reachable",
            id="unreachable",
        ),
    ],
)
def test_without_any_instance_id_once_exits_2_naming_the_setting_and_the_fixes(
    moto, run_binary, aws_cli, closed_endpoint, metadata, reason
) -> None:
    if metadata.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") == "closed":
        metadata = {**metadata, "AWS_EC2_METADATA_SERVICE_ENDPOINT": closed_endpoint}
    env = {**moto.env("publisher"), **metadata, "CWP_LOG_STREAM": "heartbeat-{instance_id}"}
    result = run_binary(["once"], env=env)
    assert result.rc == 2, result.describe()
    (error,) = result.err_lines
    assert error["level"] == "ERROR"
    message = error["message"]
    assert message.startswith("CWP_LOG_STREAM uses {instance_id} but no instance id is known"), message
    assert reason in message
    for fix in ("CWP_INSTANCE_ID", "hop-limit 2", "{hostname}"):
        assert fix in message, (fix, message)
    assert aws_cli("reader", "logs", "describe-log-groups")["logGroups"] == []


def test_run_puts_every_heartbeat_in_the_instance_stream_asking_metadata_once(
    moto, start_daemon, imds, get_events, tmp_path
) -> None:
    env = {
        **moto.env("publisher"),
        **imds.env(),
        "CWP_LOG_STREAM": "hb-{instance_id}",
        "CWP_SCHEDULE": "@every 1s",
        "CWP_HEALTH_FILE": str(tmp_path / "health.json"),
    }
    daemon = start_daemon(env)
    daemon.wait_for(lambda l: l["message"] == PUBLISHED, count=2)
    assert daemon.stop()[0] == 0
    assert len(get_events("/monorepo-fem/heartbeat", f"hb-{INSTANCE_ID}", expected=2)) >= 2
    assert imds.requests == [("PUT", "/latest/api/token"), ("GET", "/latest/meta-data/instance-id")]


def test_send_uses_the_instance_id_in_its_stream(moto, run_binary, imds, get_events) -> None:
    env = {**moto.env("publisher"), **imds.env(), "CWP_SEND_STREAM": "deploys-{instance_id}"}
    result = run_binary(["send", "deployed 1.2.3"], env=env)
    assert result.rc == 0, result.describe()
    (event,) = get_events("/monorepo-fem/heartbeat", f"deploys-{INSTANCE_ID}")
    assert event["message"] == "deployed 1.2.3"


def test_check_shows_the_resolved_stream_name(moto, run_binary, imds) -> None:
    env = {**moto.env("publisher"), **imds.env(), "CWP_LOG_STREAM": "hb-{instance_id}"}
    result = run_binary(["check", "--output", "json"], env=env)
    report = json.loads(result.stdout)
    assert report["facts"]["log_stream"] == f"hb-{INSTANCE_ID}", result.describe()
    assert report["facts"]["instance_id"] == INSTANCE_ID
