"""Self-tests of the harness: moto with auth on, the fault proxy, and read-back with the AWS CLI.

These prove the fixtures before any test of the binary relies on them; they do not need the binary.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import socket
import subprocess
import sys
import time
import urllib.parse

import pytest
from conftest import REPO_ROOT
from fault_proxy import FaultProxy
from moto_server import Identity, MotoServer


def control(proxy: FaultProxy, method: str, path: str, doc: object = None) -> tuple[int, object]:
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5)
    try:
        body = json.dumps(doc).encode() if doc is not None else None
        conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


def create_group(moto: MotoServer, proxy: FaultProxy, name: str, identity: Identity | None = None):
    return moto.logs(
        identity or moto.publisher, "CreateLogGroup", {"logGroupName": name}, endpoint=proxy.url
    )


def raw_post_via_proxy(moto: MotoServer, proxy: FaultProxy, name: str, timeout: float = 5):
    """A signed CreateLogGroup through the proxy; transport errors (reset, timeout) propagate."""
    return moto.logs(
        moto.publisher,
        "CreateLogGroup",
        {"logGroupName": name},
        endpoint=proxy.url,
        timeout=timeout,
    )


# ------------------------------------------------------------------------------- moto + auth
def test_moto_enforces_iam_policies(moto: MotoServer) -> None:
    assert moto.logs(moto.publisher, "CreateLogGroup", {"logGroupName": "/t/a"}).status == 200
    denied = moto.logs(moto.nologs, "CreateLogGroup", {"logGroupName": "/t/b"})
    assert (denied.status, denied.error_code) == (403, "AccessDenied")
    unknown = moto.logs(None, "CreateLogGroup", {"logGroupName": "/t/c"})
    assert (unknown.status, unknown.error_code) == (403, "InvalidClientTokenId")
    # publisher may not read; reader may
    assert moto.logs(moto.publisher, "DescribeLogGroups", {}).error_code == "AccessDenied"
    names = [g["logGroupName"] for g in moto.log_groups()]
    assert names == ["/t/a"]


def test_reset_wipes_log_groups_in_every_region_but_keeps_identities(moto: MotoServer) -> None:
    assert moto.logs(moto.reader, "CreateLogGroup", {"logGroupName": "/t/syd"}).status == 200
    assert (
        moto.logs(moto.reader, "CreateLogGroup", {"logGroupName": "/t/ore"}, region="us-west-2")
    ).status == 200
    moto.reset()
    assert moto.log_groups() == []
    assert moto.log_groups("us-west-2") == []
    assert moto.sts_get_caller_identity(moto.publisher).status == 200


def test_aws_cli_reads_back_with_the_reader_identity(moto, aws_cli, get_events) -> None:
    now_ms = int(time.time() * 1000)
    for op, payload in [
        ("CreateLogGroup", {"logGroupName": "/t/cli"}),
        ("CreateLogStream", {"logGroupName": "/t/cli", "logStreamName": "s1"}),
        ("PutLogEvents", {"logGroupName": "/t/cli", "logStreamName": "s1",
                          "logEvents": [{"timestamp": now_ms, "message": "hello"}]}),
    ]:
        assert moto.logs(moto.publisher, op, payload).status == 200, op
    events = get_events("/t/cli", "s1")
    assert [e["message"] for e in events] == ["hello"]
    assert events[0]["timestamp"] == now_ms
    # publisher's policy has no read permission; the CLI shows moto's 403
    denied = aws_cli.run("publisher", "logs", "describe-log-groups")
    assert denied.rc != 0 and "AccessDenied" in denied.stderr


# ------------------------------------------------------------------------------- proxy basics
def test_proxy_forwards_signed_requests_and_logs_them(moto, fault_proxy) -> None:
    res = create_group(moto, fault_proxy, "/t/proxied")
    assert res.status == 200, res.text
    assert [g["logGroupName"] for g in moto.log_groups()] == ["/t/proxied"]
    (req,) = fault_proxy.requests()
    assert req["method"] == "POST"
    assert req["target"] == "Logs_20140328.CreateLogGroup"
    assert req["operation"] == "CreateLogGroup"
    assert req["service"] == "logs" and req["region"] == moto.region
    assert req["headers"]["Host"] == f"127.0.0.1:{fault_proxy.port}"
    assert json.loads(req["body"]) == {"logGroupName": "/t/proxied"}
    assert req["status"] == 200 and req["forwarded"] and req["fault"] is None
    # the same log over HTTP
    status, doc = control(fault_proxy, "GET", "/__requests__")
    assert status == 200 and [r["target"] for r in doc] == ["Logs_20140328.CreateLogGroup"]
    assert control(fault_proxy, "DELETE", "/__requests__")[0] == 200
    assert fault_proxy.requests() == []


def test_query_protocol_action_is_recognised(moto, fault_proxy) -> None:
    fault_proxy.add_faults({"match": "GetCallerIdentity", "action": "status", "status": 503,
                            "type": "ServiceUnavailable"})
    assert moto.sts_get_caller_identity(moto.reader, endpoint=fault_proxy.url).status == 503
    ok = moto.sts_get_caller_identity(moto.reader, endpoint=fault_proxy.url)
    assert ok.status == 200 and b"user/reader" in ok.body
    first, second = fault_proxy.requests("GetCallerIdentity")
    assert first["service"] == "sts" and first["fault"] == "status" and second["fault"] is None


def test_throttling_rule_answers_400_then_passes_through(moto, fault_proxy) -> None:
    status, doc = control(fault_proxy, "POST", "/__faults__", [
        {"match": "CreateLogGroup", "action": "status", "status": 400,
         "type": "ThrottlingException", "message": "Rate exceeded", "times": 1}])
    assert status == 200 and doc["added"] == 1
    throttled = create_group(moto, fault_proxy, "/t/throttle")
    assert throttled.status == 400
    assert throttled.headers["x-amzn-errortype"] == "ThrottlingException"
    assert throttled.headers["x-amzn-requestid"]
    assert throttled.json() == {"__type": "ThrottlingException", "message": "Rate exceeded"}
    assert moto.log_groups() == []  # never reached moto
    assert create_group(moto, fault_proxy, "/t/throttle").status == 200
    status, doc = control(fault_proxy, "GET", "/__faults__")
    assert doc["rules"] == []
    assert [(i["action"], i["status"], i["type"]) for i in doc["injected"]] == [
        ("status", 400, "ThrottlingException")]
    assert [r["status"] for r in fault_proxy.requests()] == [400, 200]


def test_aws_cli_through_proxy_sees_throttling_then_succeeds(moto, fault_proxy, aws_cli) -> None:
    fault_proxy.add_faults([{"match": "CreateLogGroup", "status": 400,
                             "type": "ThrottlingException", "message": "Rate exceeded"}])
    args = ("logs", "create-log-group", "--log-group-name", "/t/cli-throttle")
    first = aws_cli.run("publisher", *args, endpoint=fault_proxy.url)
    assert first.rc != 0 and "ThrottlingException" in first.stderr
    assert aws_cli("publisher", *args, endpoint=fault_proxy.url) is None
    assert [g["logGroupName"] for g in moto.log_groups()] == ["/t/cli-throttle"]


def test_rules_are_fifo_counted_and_match_star(moto, fault_proxy) -> None:
    fault_proxy.add_faults([
        {"match": "*", "status": 500, "type": "InternalFailure", "times": 2},
        {"match": "CreateLogGroup", "status": 503, "raw": "<html>503</html>",
         "headers": {"Retry-After": "1"}},
    ])
    assert [create_group(moto, fault_proxy, "/t/fifo").status for _ in range(2)] == [500, 500]
    raw = create_group(moto, fault_proxy, "/t/fifo")
    assert (raw.status, raw.body, raw.headers["retry-after"]) == (503, b"<html>503</html>", "1")
    assert raw.headers["content-type"] == "text/html"
    assert create_group(moto, fault_proxy, "/t/fifo").status == 200
    assert len(fault_proxy.injected()) == 3


def test_unlimited_and_probability_rules(moto, fault_proxy) -> None:
    fault_proxy.add_faults({"match": "DescribeLogGroups", "status": 500, "times": None,
                            "probability": 0.0})
    for _ in range(3):
        assert moto.logs(moto.reader, "DescribeLogGroups", {}, endpoint=fault_proxy.url).status == 200
    fault_proxy.clear_faults()
    fault_proxy.add_faults({"match": "DescribeLogGroups", "status": 500, "times": -1,
                            "probability": 1.0})
    for _ in range(3):
        assert moto.logs(moto.reader, "DescribeLogGroups", {}, endpoint=fault_proxy.url).status == 500
    assert fault_proxy.faults()["rules"][0]["times"] is None  # still there


def test_bad_rule_is_rejected(fault_proxy) -> None:
    status, doc = control(fault_proxy, "POST", "/__faults__", [{"action": "explode"}])
    assert status == 400 and "unknown action" in doc["error"]


def test_clock_skew_answer_carries_the_given_date(moto, fault_proxy) -> None:
    skewed = "Wed, 01 Jan 2020 00:00:00 GMT"
    fault_proxy.add_faults({"match": "PutLogEvents", "status": 400,
                            "type": "InvalidSignatureException",
                            "message": "Signature expired", "headers": {"Date": skewed}})
    res = moto.logs(moto.publisher, "PutLogEvents",
                    {"logGroupName": "g", "logStreamName": "s", "logEvents": []},
                    endpoint=fault_proxy.url)
    assert res.status == 400 and res.headers["date"] == skewed
    assert res.error_code == "InvalidSignatureException"


# ------------------------------------------------------------------------------- transport faults
def test_reset_produces_a_connection_reset(moto, fault_proxy) -> None:
    fault_proxy.add_faults({"match": "CreateLogGroup", "action": "reset"})
    with pytest.raises(ConnectionResetError):
        raw_post_via_proxy(moto, fault_proxy, "/t/reset")
    assert moto.log_groups() == []
    assert raw_post_via_proxy(moto, fault_proxy, "/t/reset").status == 200
    assert [r["fault"] for r in fault_proxy.requests()] == ["reset", None]


def test_delay_then_forward(moto, fault_proxy) -> None:
    fault_proxy.add_faults({"match": "CreateLogGroup", "action": "delay", "ms": 400})
    started = time.monotonic()
    assert raw_post_via_proxy(moto, fault_proxy, "/t/delay").status == 200
    assert time.monotonic() - started >= 0.4
    assert [g["logGroupName"] for g in moto.log_groups()] == ["/t/delay"]


def test_hang_until_the_client_gives_up(moto, fault_proxy) -> None:
    fault_proxy.add_faults({"match": "CreateLogGroup", "action": "hang"})
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout)):
        raw_post_via_proxy(moto, fault_proxy, "/t/hang", timeout=0.5)
    assert time.monotonic() - started < 5
    # the proxy notices the client left and frees the handler
    (req,) = fault_proxy.wait_for_requests("CreateLogGroup", 1, timeout_s=5)
    assert req["fault"] == "hang" and req["status"] is None
    assert moto.log_groups() == []


def test_hang_with_a_cap_closes_without_an_answer(moto, fault_proxy) -> None:
    fault_proxy.add_faults({"match": "CreateLogGroup", "action": "hang", "ms": 300})
    with pytest.raises(http.client.RemoteDisconnected):
        raw_post_via_proxy(moto, fault_proxy, "/t/hang-cap", timeout=10)


def test_truncate_sends_half_a_body(moto, fault_proxy) -> None:
    fault_proxy.add_faults({"match": "DescribeLogGroups", "action": "truncate"})
    parts = urllib.parse.urlsplit(fault_proxy.url)
    # botocore signs; a bare http.client reads so that the short body is visible
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    reader = moto.reader
    req = AWSRequest(method="POST", url=fault_proxy.url + "/", data=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "Logs_20140328.DescribeLogGroups"})
    SigV4Auth(Credentials(reader.access_key_id, reader.secret_access_key), "logs",
              moto.region).add_auth(req)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
    conn.request("POST", "/", body=b"{}", headers=dict(req.headers.items()))
    resp = conn.getresponse()
    assert resp.status == 200
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
    conn.close()


def test_after_forward_makes_an_ambiguous_failure(moto, fault_proxy) -> None:
    fault_proxy.add_faults({"match": "CreateLogGroup", "status": 500, "after_forward": True})
    assert create_group(moto, fault_proxy, "/t/ambiguous").status == 500
    assert [g["logGroupName"] for g in moto.log_groups()] == ["/t/ambiguous"]  # it happened
    (req,) = fault_proxy.requests()
    assert req["forwarded"] and req["upstream_status"] == 200 and req["status"] == 500


def test_stop_refuses_connections_and_start_recovers_on_the_same_port(moto, fault_proxy) -> None:
    port = fault_proxy.port
    fault_proxy.add_faults({"match": "DescribeLogGroups", "status": 500, "times": 5})
    fault_proxy.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    with pytest.raises(ConnectionRefusedError):
        create_group(moto, fault_proxy, "/t/outage")
    fault_proxy.start()
    assert fault_proxy.port == port
    assert create_group(moto, fault_proxy, "/t/outage").status == 200
    assert fault_proxy.faults()["rules"][0]["times"] == 5  # rules survive the outage


def test_stop_drops_an_idle_keep_alive_connection(moto, fault_proxy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", fault_proxy.port, timeout=5)
    conn.request("GET", "/__faults__")
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200 and not resp.will_close  # keep-alive towards the client
    fault_proxy.stop()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        conn.request("GET", "/__faults__")
        conn.getresponse()
    conn.close()
    fault_proxy.start()


def test_upstream_down_answers_502(moto, closed_endpoint) -> None:
    with FaultProxy(closed_endpoint) as proxy:
        res = moto.logs(moto.reader, "DescribeLogGroups", {}, endpoint=proxy.url)
        assert res.status == 502


def test_cli_prints_its_port_and_proxies(moto: MotoServer) -> None:
    proc = subprocess.Popen(
        [sys.executable, str(REPO_ROOT / "tests" / "support" / "fault_proxy.py"),
         "--upstream", moto.endpoint, "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()  # blocks until the proxy listens (or exits)
        assert line.strip().isdigit(), (line, proc.stderr.read() if proc.poll() is not None else "")
        url = f"http://127.0.0.1:{int(line)}"
        conn = http.client.HTTPConnection("127.0.0.1", int(line), timeout=5)
        conn.request("POST", "/__faults__", body=json.dumps(
            [{"match": "CreateLogGroup", "status": 400, "type": "ThrottlingException"}]))
        assert conn.getresponse().status == 200
        conn.close()
        res = moto.logs(moto.publisher, "CreateLogGroup", {"logGroupName": "/t/cli-proxy"},
                        endpoint=url)
        assert res.status == 400 and res.error_code == "ThrottlingException"
        res = moto.logs(moto.publisher, "CreateLogGroup", {"logGroupName": "/t/cli-proxy"},
                        endpoint=url)
        assert res.status == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


# ------------------------------------------------------------------------------- matrix features
def test_access_key_and_skip_narrow_a_rule(moto, fault_proxy) -> None:
    other = moto.reader
    fault_proxy.add_faults({"match": "DescribeLogGroups", "access_key": other.access_key_id,
                            "status": 400, "type": "ExpiredTokenException", "skip": 1,
                            "times": None})
    describe = lambda who: moto.logs(who, "DescribeLogGroups", {}, endpoint=fault_proxy.url)  # noqa: E731
    assert describe(moto.admin).status == 200  # other keys: the rule does not apply
    assert describe(other).status == 200  # skipped once
    assert [describe(other).error_code for _ in range(2)] == ["ExpiredTokenException"] * 2
    assert [r["access_key"] for r in fault_proxy.requests()] == [
        moto.admin.access_key_id] + [other.access_key_id] * 3
    assert fault_proxy.requests()[0]["amz_date"].endswith("Z")


def test_truncate_with_reset_after_forward_loses_a_stored_answer(moto, fault_proxy) -> None:
    fault_proxy.add_faults({"match": "CreateLogGroup", "action": "truncate", "reset": True,
                            "after_forward": True})
    with pytest.raises((ConnectionResetError, http.client.IncompleteRead,
                        http.client.RemoteDisconnected)):
        res = raw_post_via_proxy(moto, fault_proxy, "/t/mid-response")
        res.json()
    assert [g["logGroupName"] for g in moto.log_groups()] == ["/t/mid-response"]
    (req,) = fault_proxy.requests()
    assert req["forwarded"] and req["upstream_status"] == 200


def test_server_clock_refuses_skewed_signatures_like_aws(moto, fault_proxy) -> None:
    fault_proxy.set_server_clock(3600)
    res = create_group(moto, fault_proxy, "/t/skew")
    assert (res.status, res.error_code) == (400, "InvalidSignatureException")
    assert res.json()["message"].startswith("Signature expired: ")
    server = email.utils.parsedate_to_datetime(res.headers["date"]).timestamp()
    assert abs(server - (time.time() + 3600)) < 5
    sts = moto.sts_get_caller_identity(moto.reader, endpoint=fault_proxy.url)
    assert sts.status == 403 and b"<Code>SignatureDoesNotMatch</Code>" in sts.body
    assert b"Signature expired" in sts.body
    assert moto.log_groups() == []
    assert [r["fault"] for r in fault_proxy.requests()] == ["skew", "skew"]
    # within 5 minutes of the server's time: forwarded, and the answer carries the server's Date
    fault_proxy.set_server_clock(120)
    ok = create_group(moto, fault_proxy, "/t/skew")
    assert ok.status == 200
    server = email.utils.parsedate_to_datetime(ok.headers["date"]).timestamp()
    assert abs(server - (time.time() + 120)) < 5
    status, doc = control(fault_proxy, "POST", "/__clock__", {"offset_s": None})
    assert status == 200 and doc == {"offset_s": None}


def test_reject_events_stores_the_rest_and_reports_the_rejection(moto, fault_proxy, get_events) -> None:
    p = moto.publisher
    now = int(time.time() * 1000)
    for op, payload in [("CreateLogGroup", {"logGroupName": "/t/rej"}),
                        ("CreateLogStream", {"logGroupName": "/t/rej", "logStreamName": "s"})]:
        assert moto.logs(p, op, payload).status == 200
    fault_proxy.add_faults({"match": "PutLogEvents", "action": "reject_events", "too_old_end": 0,
                            "too_new_start": 3, "resign": {"access_key_id": p.access_key_id,
                                                           "secret_access_key": p.secret_access_key}})
    events = [{"timestamp": now + i, "message": f"e{i}"} for i in range(4)]
    res = moto.logs(p, "PutLogEvents", {"logGroupName": "/t/rej", "logStreamName": "s",
                                        "logEvents": events}, endpoint=fault_proxy.url)
    assert res.status == 200
    assert res.json()["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 0,
                                                  "tooNewLogEventStartIndex": 3}
    assert [e["message"] for e in get_events("/t/rej", "s", expected=2)] == ["e1", "e2"]
    (req,) = fault_proxy.requests()
    assert req["rejected_messages"] == ["e0", "e3"] and req["upstream_status"] == 200
