#!/usr/bin/env python3
"""A fault-injecting HTTP reverse proxy for tests (docs: testing-with-moto.md section 4).

It listens on 127.0.0.1:<port> in front of an upstream (moto) and forwards every request with the
client's Host header and body bytes unchanged, so SigV4 signatures still verify upstream.
Rules decide, request by request, whether to answer with a fault instead.

Control plane on the same port (never forwarded):
  POST   /__faults__    body: a JSON rule or list of rules, appended
  GET    /__faults__    {"rules": [remaining rules], "injected": [{t, target, action, status, ...}]}
  DELETE /__faults__    clear rules and the injected log
  GET    /__requests__  [{id, t, method, path, target, operation, action, service, region,
                          access_key, amz_date, headers, body, status, fault, forwarded,
                          elapsed_ms}, ...]
                         (every proxied request; `?match=PutLogEvents` filters like a rule)
  DELETE /__requests__  clear the request log
  POST   /__clock__     {"offset_s": 3600, "max_skew_s": 300}: emulate a server clock (see below);
                        {"offset_s": null} turns the emulation off

A rule is a JSON object:
  match        substring of X-Amz-Target ("PutLogEvents"), or the query-protocol Action
               ("GetCallerIdentity"), or "*" (default) for every request
  service      optional: only requests whose SigV4 scope names this service ("logs", "sts")
  access_key   optional: only requests signed with this access key id (expired credentials
               are refused whatever the operation, until the client signs with other keys)
  skip         optional: let the first `skip` matching requests pass before the rule applies
               ("the 3rd PutLogEvents")
  times        how many matching requests it applies to (default 1; null or -1 = unlimited);
               rules are consulted first-in first-out and consumed as they fire
  probability  optional 0..1: fire on that fraction of matching requests (else pass it on)
  after_forward  optional: forward the request first (so upstream acts on it), then answer
               with the fault: an ambiguous failure, as when a response is lost
  action:
    status     answer `status` (default 500) with AWS JSON error body
               {"__type": type, "message": message} + x-amzn-ErrorType/x-amzn-RequestId, or the
               literal `raw` body (with `content_type`); `headers` adds/overrides headers (e.g. a
               skewed `Date`); `close: true` closes the connection after the answer;
               `echo_request: true` makes the message quote the request back as AWS does for a
               signature mismatch ("The Canonical String for this request should have been
               ..."), here with every header, Authorization and X-Amz-Security-Token included
    reset      SO_LINGER(1,0) then close: the client sees a TCP RST
    delay      wait `ms` then forward
    hang       never answer; the connection is closed after `ms` (default: the hang cap, 60 s),
               when the client gives up, or when the proxy stops
    truncate   send the status line and headers announcing the full Content-Length, then only
               half the body, then close (`reset: true`: with a TCP RST, as when a connection is
               reset mid-response)
    reject_events  PutLogEvents only: a partial rejection as CloudWatch Logs makes it. Events
               0..`too_old_end` (inclusive) and/or `too_new_start`..end are removed from the
               batch, the rest is re-signed with `resign` {access_key_id, secret_access_key[,
               session_token]} (the body changed, so the client's signature no longer fits) and
               forwarded; the answer is upstream's, plus rejectedLogEventsInfo. The record's
               `rejected_messages` lists the removed events' messages.
An outage (connection refused) is `stop()`; `start()` brings the proxy back on the same port.

Server clock (`set_server_clock(offset_s, max_skew_s=300)`): the proxy plays an AWS endpoint
whose clock is `offset_s` ahead of this host's (a host clock that is off, seen from the other
side). Every answer's Date header carries the server time, and a request whose X-Amz-Date is
more than `max_skew_s` away from it is refused before any rule, as AWS does: JSON protocol 400
InvalidSignatureException, query protocol (STS) 403 SignatureDoesNotMatch, both "Signature
expired" (fault "skew" in the request log).

CLI: `python3 fault_proxy.py --upstream http://127.0.0.1:PORT [--port 0]` prints the port it
listens on, alone on the first stdout line, and runs until SIGTERM/SIGINT.
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import email.utils
import http.client
import json
import random
import select
import re
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable

ACTIONS = ("status", "reset", "delay", "hang", "truncate", "reject_events")
CONTROL_PATHS = ("/__faults__", "/__requests__", "/__clock__")
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
}
_SCOPE_RE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


class RuleError(ValueError):
    pass


def normalize_rule(rule: Any) -> dict[str, Any]:
    if not isinstance(rule, dict):
        raise RuleError(f"a rule must be a JSON object, got {rule!r}")
    out = dict(rule)
    out.setdefault("match", "*")
    out.setdefault("action", "status")
    if out["action"] not in ACTIONS:
        raise RuleError(f"unknown action {out['action']!r}; one of {', '.join(ACTIONS)}")
    times = out.get("times", 1)
    if times is not None and (not isinstance(times, int) or isinstance(times, bool)):
        raise RuleError(f"times must be an integer or null, got {times!r}")
    out["times"] = None if times is None or times < 0 else times
    if out["times"] == 0:
        raise RuleError("times must be >= 1 (or null/-1 for unlimited)")
    p = out.get("probability")
    if p is not None and not (isinstance(p, (int, float)) and 0 <= p <= 1):
        raise RuleError(f"probability must be within 0..1, got {p!r}")
    if out["action"] in ("delay",) and not isinstance(out.get("ms"), (int, float)):
        raise RuleError("delay needs ms")
    if "headers" in out and not isinstance(out["headers"], dict):
        raise RuleError("headers must be an object")
    skip = out.get("skip", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        raise RuleError(f"skip must be an integer >= 0, got {skip!r}")
    if out["action"] == "reject_events":
        if "too_old_end" not in out and "too_new_start" not in out:
            raise RuleError("reject_events needs too_old_end and/or too_new_start")
        resign = out.get("resign")
        needed = {"access_key_id", "secret_access_key"}
        if not isinstance(resign, dict) or not needed <= set(resign):
            raise RuleError("reject_events needs resign: {access_key_id, secret_access_key}")
    return out


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], proxy: "FaultProxy") -> None:
        self.proxy = proxy
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive towards the client, like AWS's endpoints
    timeout = 120  # an idle keep-alive connection is closed after this
    server: _Server

    # ------------------------------------------------------------------ plumbing
    @property
    def proxy(self) -> "FaultProxy":
        return self.server.proxy

    def setup(self) -> None:
        super().setup()
        self.proxy._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.proxy._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        if self.proxy.verbose:
            sys.stderr.write("fault_proxy: " + (format % args) + "\n")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(
        self,
        status: int,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        announce_length: int | None = None,
    ) -> None:
        self.send_response_only(status)
        names = set()
        server_date = self.proxy._server_date()
        for name, value in headers:
            lname = name.lower()
            if lname in HOP_BY_HOP or lname == "content-length":
                continue
            if lname == "date" and server_date is not None:
                continue
            names.add(lname)
            self.send_header(name, value)
        if server_date is not None:
            self.send_header("Date", server_date)
        elif "date" not in names:
            self.send_header("Date", self.date_time_string())
        if "server" not in names:
            self.send_header("Server", "fault-proxy")
        self.send_header(
            "Content-Length", str(len(body) if announce_length is None else announce_length)
        )
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _send_json(self, status: int, doc: Any) -> None:
        self._send(status, [("Content-Type", "application/json")], json.dumps(doc).encode())

    # ------------------------------------------------------------------ dispatch
    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def _dispatch(self) -> None:
        started = time.monotonic()
        body = self._read_body()
        path_only = urllib.parse.urlsplit(self.path).path
        if path_only in CONTROL_PATHS:
            self._control(path_only, body)
            return
        info = self.proxy._describe(self.command, self.path, self.headers, body)
        skewed = self.proxy._skew_error(info)
        rule = None if skewed else self.proxy._take_rule(info)
        record = self.proxy._record(info, rule)
        if skewed:
            record["fault"] = "skew"
        self._rec = record
        error = None
        try:
            if skewed:
                status = skewed[0]
                self._send(*skewed)
            else:
                status = self._apply(rule, body) if rule else self._forward_and_relay(body)
        except OSError as e:  # the client went away mid-answer
            status, error = None, f"{type(e).__name__}: {e}"
            self.close_connection = True
        self.proxy._update(
            record,
            status=status,
            error=error,
            forwarded=record["forwarded"] or (rule is None and not skewed),
            elapsed_ms=round((time.monotonic() - started) * 1000, 1),
        )

    # ------------------------------------------------------------------ upstream
    def _forward(
        self, body: bytes, headers: list[tuple[str, str]] | None = None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        up = self.proxy._upstream
        conn = http.client.HTTPConnection(
            up.hostname, up.port or 80, timeout=self.proxy.upstream_timeout_s
        )
        try:
            conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
            replaced = headers is not None  # re-signed headers: Content-Length is set below
            for name, value in headers if replaced else self.headers.items():
                if name.lower() in HOP_BY_HOP or (replaced and name.lower() == "content-length"):
                    continue
                conn.putheader(name, value)
            if headers is not None:
                conn.putheader("Content-Length", str(len(body)))
            if chunked:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body if body else None)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, resp.getheaders(), data
        finally:
            conn.close()

    def _forward_and_relay(self, body: bytes) -> int:
        try:
            status, headers, data = self._forward(body)
        except OSError as e:
            status, headers, data = 502, [("Content-Type", "text/plain")], f"upstream: {e}".encode()
        self._send(status, headers, data)
        return status

    # ------------------------------------------------------------------ faults
    def _apply(self, rule: dict[str, Any], body: bytes) -> int | None:
        action = rule["action"]
        upstream_status = None
        if action == "delay":
            self.proxy._stopping.wait(float(rule["ms"]) / 1000.0)
            try:  # forwarded even if the client gave up meanwhile: upstream acts on it
                upstream_status, up_headers, up_body = self._forward(body)
            except OSError as e:
                self._send(502, [("Content-Type", "text/plain")], f"upstream: {e}".encode())
                return 502
            self.proxy._update(self._rec, forwarded=True, upstream_status=upstream_status)
            self._send(upstream_status, up_headers, up_body)
            return upstream_status
        if rule.get("after_forward"):
            try:
                upstream_status, up_headers, up_body = self._forward(body)
            except OSError:
                up_headers, up_body = [], b""
            self.proxy._update(self._rec, forwarded=True, upstream_status=upstream_status)
        else:
            up_headers, up_body = [], b""
        if action == "status":
            status, headers, data = self._fault_response(rule, self._quoted_request(body))
            self.close_connection = self.close_connection or bool(rule.get("close"))
            self._send(status, headers, data)
            return status
        if action == "reset":
            self._reset_connection()
            return None
        if action == "hang":
            self._hang(float(rule.get("ms", self.proxy.hang_cap_s * 1000)) / 1000.0)
            return None
        if action == "truncate":
            if "status" in rule or "type" in rule or "raw" in rule:
                status, headers, data = self._fault_response(rule)
            elif rule.get("after_forward") and upstream_status is not None:
                status, headers, data = upstream_status, up_headers, up_body
            else:
                try:
                    status, headers, data = self._forward(body)
                    self.proxy._update(self._rec, forwarded=True, upstream_status=status)
                except OSError:
                    status, headers, data = 200, [], b""
            if len(data) >= 2:
                sent, announced = data[: len(data) // 2], len(data)
            else:
                sent, announced = data, len(data) + 16
            self.close_connection = True
            self._send(status, headers, sent, announce_length=announced)
            self.wfile.flush()
            if rule.get("reset"):
                self._reset_connection()
            return status
        if action == "reject_events":
            return self._reject_events(rule, body)
        raise AssertionError(action)

    def _reject_events(self, rule: dict[str, Any], body: bytes) -> int:
        """Removes the rule's events from the batch, re-signs and forwards the rest, and answers
        upstream's response plus rejectedLogEventsInfo (CloudWatch Logs' partial rejection)."""
        doc = json.loads(body)
        events = doc.get("logEvents") or []
        n = len(events)
        info: dict[str, int] = {}
        rejected: set[int] = set()
        if "too_old_end" in rule and n > 0:
            end = min(int(rule["too_old_end"]), n - 1)
            info["tooOldLogEventEndIndex"] = end
            rejected.update(range(0, end + 1))
        if "too_new_start" in rule and int(rule["too_new_start"]) < n:
            start = int(rule["too_new_start"])
            info["tooNewLogEventStartIndex"] = start
            rejected.update(range(start, n))
        kept = [e for i, e in enumerate(events) if i not in rejected]
        self.proxy._update(
            self._rec, rejected_messages=[events[i]["message"] for i in sorted(rejected)]
        )
        if kept:
            doc["logEvents"] = kept
            new_body = json.dumps(doc).encode()
            headers = _resign(self, new_body, rule["resign"])
            status, up_headers, up_body = self._forward(new_body, headers)
            self.proxy._update(self._rec, forwarded=True, upstream_status=status)
        else:
            status, up_body = 200, b"{}"
            up_headers = [("Content-Type", "application/x-amz-json-1.1")]
        if status == 200:
            answer = json.loads(up_body or b"{}")
            if info:
                answer["rejectedLogEventsInfo"] = info
            up_body = json.dumps(answer).encode()
        self._send(status, up_headers, up_body)
        return status

    def _quoted_request(self, body: bytes) -> str:
        """The request as an AWS signature-mismatch message quotes it: method, path, query, then
        every header as lower-case `name:value` (secrets included), then the body."""
        url = urllib.parse.urlsplit(self.path)
        headers = "\n".join(f"{k.lower()}:{v.strip()}" for k, v in sorted(self.headers.items()))
        return (
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.\n\nThe Canonical String for this request should have "
            f"been\n'{self.command}\n{url.path}\n{url.query}\n{headers}\n\n"
            f"{body.decode('utf-8', 'replace')}'\n"
        )

    def _fault_response(
        self, rule: dict[str, Any], quoted_request: str = ""
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        status = int(rule.get("status", 500))
        headers: dict[str, str] = {"x-amzn-RequestId": str(uuid.uuid4())}
        if "raw" in rule:
            raw = rule["raw"]
            data = raw.encode() if isinstance(raw, str) else bytes(raw)
            headers["Content-Type"] = rule.get("content_type", "text/html")
        else:
            error_type = rule.get("type", "InternalFailure")
            message = rule.get("message", "Injected fault")
            if rule.get("echo_request"):
                message = quoted_request
            doc = {"__type": error_type, "message": message}
            data = json.dumps(doc).encode()
            headers["Content-Type"] = rule.get("content_type", "application/x-amz-json-1.1")
            headers["x-amzn-ErrorType"] = error_type
        merged: dict[str, tuple[str, str]] = {k.lower(): (k, v) for k, v in headers.items()}
        for k, v in (rule.get("headers") or {}).items():
            merged[k.lower()] = (k, str(v))
        return status, list(merged.values()), data

    def _reset_connection(self) -> None:
        self.close_connection = True
        sock = self.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        # The fd only closes (and the RST only goes out) once no file object refers to it.
        try:
            self.rfile.close()
        except OSError:
            pass
        sock.close()

    def _hang(self, cap_s: float) -> None:
        self.close_connection = True
        sock = self.connection
        deadline = time.monotonic() + cap_s
        while time.monotonic() < deadline:
            if self.proxy._stopping.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
                return
            try:
                # (a socket with a timeout waits for data even with MSG_DONTWAIT: ask select first)
                readable, _, _ = select.select([sock], [], [], 0)
                if not readable:
                    continue
                peek = sock.recv(1, socket.MSG_PEEK)
            except OSError:
                return
            if peek == b"":
                return  # the client gave up and closed

    # ------------------------------------------------------------------ control plane
    def _control(self, path: str, body: bytes) -> None:
        proxy = self.proxy
        if path == "/__faults__":
            if self.command == "POST":
                try:
                    doc = json.loads(body or b"[]")
                    rules = proxy.add_faults(doc if isinstance(doc, list) else [doc])
                except (ValueError, RuleError) as e:
                    self._send_json(400, {"error": str(e)})
                    return
                self._send_json(200, {"added": len(rules), "rules": proxy.faults()["rules"]})
            elif self.command == "GET":
                self._send_json(200, proxy.faults())
            elif self.command == "DELETE":
                proxy.clear_faults()
                self._send_json(200, {"status": "ok"})
            else:
                self._send_json(405, {"error": "method not allowed"})
        elif path == "/__clock__":
            if self.command != "POST":
                self._send_json(405, {"error": "method not allowed"})
                return
            try:
                doc = json.loads(body or b"{}")
                proxy.set_server_clock(doc.get("offset_s"), doc.get("max_skew_s", 300))
            except (ValueError, TypeError, AttributeError) as e:
                self._send_json(400, {"error": str(e)})
                return
            self._send_json(200, {"offset_s": proxy.server_clock_offset_s})
        else:
            if self.command == "GET":
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                self._send_json(200, proxy.requests(match=(query.get("match") or [None])[0]))
            elif self.command == "DELETE":
                proxy.clear_requests()
                self._send_json(200, {"status": "ok"})
            else:
                self._send_json(405, {"error": "method not allowed"})


class FaultProxy:
    """The proxy as an object: `FaultProxy(upstream).start()`, `.url`, `.add_faults([...])`,
    `.requests()`, `.stop()`/`.start()` (same port), `.close()`. Thread-safe."""

    def __init__(
        self,
        upstream: str,
        host: str = "127.0.0.1",
        port: int = 0,
        hang_cap_s: float = 60.0,
        upstream_timeout_s: float = 30.0,
        max_log: int = 20000,
        seed: int | None = None,
        verbose: bool = False,
    ) -> None:
        self._upstream = urllib.parse.urlsplit(upstream)
        if self._upstream.scheme != "http" or not self._upstream.hostname:
            raise ValueError(f"upstream must be http://host:port, got {upstream!r}")
        self.upstream = upstream
        self.host = host
        self.port = port
        self.hang_cap_s = hang_cap_s
        self.upstream_timeout_s = upstream_timeout_s
        self.verbose = verbose
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._rules: list[dict[str, Any]] = []
        self._injected: collections.deque[dict[str, Any]] = collections.deque(maxlen=max_log)
        self._requests: collections.deque[dict[str, Any]] = collections.deque(maxlen=max_log)
        self._next_id = 1
        self._random = random.Random(seed)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self.server_clock_offset_s: float | None = None
        self.max_skew_s: float = 300.0

    # ------------------------------------------------------------------ lifecycle
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    endpoint = url

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> "FaultProxy":
        """Listen (again) on the same port; rules and logs are kept across stop()/start()."""
        if self._server is not None:
            return self
        self._stopping = threading.Event()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fault-proxy-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and drop every open connection: connection refused until start()."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    close = stop

    def __enter__(self) -> "FaultProxy":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ rules
    def add_faults(self, rules: Iterable[dict[str, Any]] | dict[str, Any]) -> list[dict[str, Any]]:
        if isinstance(rules, dict):
            rules = [rules]
        normalized = [normalize_rule(r) for r in rules]
        with self._lock:
            self._rules.extend(normalized)
        return normalized

    add_fault = add_faults

    def clear_faults(self) -> None:
        with self._lock:
            self._rules.clear()
            self._injected.clear()

    def faults(self) -> dict[str, Any]:
        with self._lock:
            return {"rules": copy.deepcopy(self._rules), "injected": list(self._injected)}

    def injected(self) -> list[dict[str, Any]]:
        return self.faults()["injected"]

    # ------------------------------------------------------------------ server clock
    def set_server_clock(self, offset_s: float | None, max_skew_s: float = 300.0) -> None:
        """Play an endpoint whose clock is `offset_s` ahead of ours (None: relay upstream's)."""
        if offset_s is not None and not isinstance(offset_s, (int, float)):
            raise TypeError(f"offset_s must be a number or null, got {offset_s!r}")
        self.max_skew_s = float(max_skew_s)
        self.server_clock_offset_s = None if offset_s is None else float(offset_s)

    def server_time(self) -> float:
        return time.time() + (self.server_clock_offset_s or 0.0)

    def _server_date(self) -> str | None:
        if self.server_clock_offset_s is None:
            return None
        return email.utils.formatdate(self.server_time(), usegmt=True)

    def _skew_error(self, info: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """The answer AWS gives to a signature whose time is too far from the server's, or None."""
        if self.server_clock_offset_s is None or not info.get("amz_date"):
            return None
        try:
            signed = dt.datetime.strptime(info["amz_date"], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=dt.timezone.utc
            )
        except ValueError:
            return None
        server = dt.datetime.fromtimestamp(self.server_time(), dt.timezone.utc)
        if abs((server - signed).total_seconds()) <= self.max_skew_s:
            return None
        fmt = "%Y%m%dT%H%M%SZ"
        bound = server - dt.timedelta(seconds=self.max_skew_s)
        later = signed > server
        message = (
            f"Signature not yet current: {signed:{fmt}} is still later than "
            f"{server + dt.timedelta(seconds=self.max_skew_s):{fmt}} ({server:{fmt}} + "
            f"{self.max_skew_s / 60:g} min.)"
            if later
            else f"Signature expired: {signed:{fmt}} is now earlier than {bound:{fmt}} "
            f"({server:{fmt}} - {self.max_skew_s / 60:g} min.)"
        )
        request_id = str(uuid.uuid4())
        if info.get("target"):
            doc = {"__type": "InvalidSignatureException", "message": message}
            return 400, [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("x-amzn-ErrorType", "InvalidSignatureException"),
                ("x-amzn-RequestId", request_id),
            ], json.dumps(doc).encode()
        xml = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
            f"<Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>{message}</Message>"
            f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return 403, [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id)], xml.encode()

    # ------------------------------------------------------------------ request log
    def requests(self, match: str | None = None) -> list[dict[str, Any]]:
        """Every proxied request so far (optionally those whose target/action contains `match`)."""
        with self._lock:
            out = [dict(r) for r in self._requests]
        if match:
            out = [r for r in out if _matches_request(match, r)]
        return out

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def wait_for(
        self, predicate: Callable[[list[dict[str, Any]]], bool], timeout_s: float = 10.0
    ) -> list[dict[str, Any]]:
        """Block until predicate(requests()) holds (checked after every request), or fail."""
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while True:
                snapshot = [dict(r) for r in self._requests]
                if predicate(snapshot):
                    return snapshot
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"fault proxy: condition not met within {timeout_s} s; "
                        f"{len(snapshot)} requests seen: "
                        + ", ".join(str(r.get("target") or r.get("action")) for r in snapshot[-20:])
                    )
                self._changed.wait(remaining)

    def wait_for_requests(
        self, match: str, count: int, timeout_s: float = 10.0
    ) -> list[dict[str, Any]]:
        """Block until `count` requests matching `match` (as in a rule) have been answered."""
        done = self.wait_for(
            lambda rs: sum(1 for r in rs if "elapsed_ms" in r and _matches_request(match, r))
            >= count,
            timeout_s,
        )
        return [r for r in done if _matches_request(match, r)]

    # ------------------------------------------------------------------ internals
    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _describe(self, method: str, path: str, headers: Any, body: bytes) -> dict[str, Any]:
        target = headers.get("X-Amz-Target") or ""
        action = None
        ctype = headers.get("Content-Type", "")
        if "x-www-form-urlencoded" in ctype or (not target and body[:7] == b"Action="):
            try:
                action = urllib.parse.parse_qs(body.decode("utf-8", "replace")).get("Action", [None])[0]
            except ValueError:
                action = None
        if action is None and "Action=" in path:
            action = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query).get("Action", [None])[0]
        scope = _SCOPE_RE.search(headers.get("Authorization", ""))
        merged: dict[str, str] = {}
        for name, value in headers.items():
            merged[name] = value if name not in merged else merged[name] + ", " + value
        return {
            "method": method,
            "path": path,
            "target": target or None,
            "operation": target.rsplit(".", 1)[-1] if target else action,
            "action": action,
            "service": scope.group(3) if scope else None,
            "region": scope.group(2) if scope else None,
            "access_key": scope.group(1) if scope else None,
            "amz_date": headers.get("X-Amz-Date"),
            "headers": merged,
            "body": body.decode("utf-8", "replace"),
        }

    def _take_rule(self, info: dict[str, Any]) -> dict[str, Any] | None:
        with self._lock:
            for i, rule in enumerate(self._rules):
                if not _matches_rule(rule, info):
                    continue
                if rule.get("skip", 0) > 0:
                    rule["skip"] -= 1
                    continue
                p = rule.get("probability")
                if p is not None and self._random.random() >= p:
                    continue
                fired = dict(rule)
                if rule["times"] is not None:
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        del self._rules[i]
                self._injected.append(
                    {
                        "t": time.time(),
                        "target": info["target"],
                        "operation": info["operation"],
                        "match": rule["match"],
                        "action": rule["action"],
                        "status": rule.get("status") if rule["action"] == "status" else None,
                        "type": rule.get("type"),
                    }
                )
                return fired
        return None

    def _record(self, info: dict[str, Any], rule: dict[str, Any] | None) -> dict[str, Any]:
        with self._lock:
            record = dict(info)
            record.update(
                id=self._next_id,
                t=time.time(),
                status=None,
                fault=rule["action"] if rule else None,
                forwarded=False,
            )
            self._next_id += 1
            self._requests.append(record)
            return record

    def _update(self, record: dict[str, Any], **fields: Any) -> None:
        with self._changed:
            record.update(fields)
            self._changed.notify_all()


def _resign(handler: "_Handler", body: bytes, creds: dict[str, str]) -> list[tuple[str, str]]:
    """The client's headers with a fresh SigV4 signature for `body` (botocore's signer: test
    code only, imported when a rule needs it)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    info = handler.proxy._describe(handler.command, handler.path, handler.headers, b"")
    drop = {"authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"}
    headers = {k: v for k, v in handler.headers.items()
               if k.lower() not in drop | HOP_BY_HOP | {"content-length"}}
    headers["Content-Length"] = str(len(body))  # signed: it must be the new body's
    host = handler.headers.get("Host")
    req = AWSRequest(method=handler.command, url=f"http://{host}{handler.path}", data=body,
                     headers=headers)
    SigV4Auth(
        Credentials(creds["access_key_id"], creds["secret_access_key"], creds.get("session_token")),
        info["service"] or "logs",
        info["region"] or "us-east-1",
    ).add_auth(req)
    return list(req.headers.items())


def _matches_rule(rule: dict[str, Any], info: dict[str, Any]) -> bool:
    if rule.get("service") and rule["service"] != info.get("service"):
        return False
    if rule.get("method") and rule["method"].upper() != info.get("method"):
        return False
    if rule.get("access_key") and rule["access_key"] != info.get("access_key"):
        return False
    return _matches_request(rule.get("match", "*"), info)


def _matches_request(match: str, info: dict[str, Any]) -> bool:
    if match in ("*", "", None):
        return True
    return match in (info.get("target") or "") or match == info.get("action")


def main(argv: list[str] | None = None) -> int:
    import argparse
    import signal

    parser = argparse.ArgumentParser(description="Fault-injecting reverse proxy (tests only).")
    parser.add_argument("--upstream", required=True, help="http://127.0.0.1:PORT of moto")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    parser.add_argument("--hang-cap", type=float, default=60.0, help="seconds a hang lasts at most")
    parser.add_argument("--seed", type=int, default=None, help="seed for probability rules")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    proxy = FaultProxy(
        args.upstream,
        host=args.host,
        port=args.port,
        hang_cap_s=args.hang_cap,
        seed=args.seed,
        verbose=args.verbose,
    ).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    print(proxy.port, flush=True)
    try:
        while not done.wait(3600):
            pass
    finally:
        proxy.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
