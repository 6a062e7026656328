"""The local HTTP stub (`bench/run _stub`, in its own process): pure client cost, every request
answered at once and recorded."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from .common import BENCH, http_json, parent_death_signal


STS_XML = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/bench</Arn>"
    "<UserId>AIDABENCHBENCHBENCH</UserId><Account>123456789012</Account>"
    "</GetCallerIdentityResult><ResponseMetadata><RequestId>"
    "00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata>"
    "</GetCallerIdentityResponse>"
).encode()


def stub_main() -> int:
    """`bench/run _stub`: answers GetCallerIdentity with XML and everything else with `{}`, 200.

    Records (arrival time, operation, PutLogEvents body) of every request; GET /__requests__
    returns the log, DELETE /__requests__ clears it. Prints its port on the first stdout line."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    lock = threading.Lock()
    requests: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as AWS endpoints do

        def parse_request(self) -> bool:  # right after the request line arrived
            self._t = time.time()
            return super().parse_request()

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._dispatch()

        do_POST = do_PUT = do_DELETE = do_GET

        def _dispatch(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            if self.path.startswith("/__requests__"):
                with lock:
                    if self.command == "DELETE":
                        requests.clear()
                        doc: Any = {"status": "ok"}
                    else:
                        doc = list(requests)
                self._answer(200, "application/json", json.dumps(doc).encode())
                return
            target = self.headers.get("X-Amz-Target") or ""
            if target:
                op = target.rsplit(".", 1)[-1]
            elif b"Action=GetCallerIdentity" in body or "GetCallerIdentity" in self.path:
                op = "GetCallerIdentity"
            else:
                op = "?"
            rec: dict[str, Any] = {"t": self._t, "op": op}
            if op == "PutLogEvents":
                rec["body"] = body.decode("utf-8", "replace")
            with lock:
                requests.append(rec)
            if op == "GetCallerIdentity":
                self._answer(200, "text/xml", STS_XML)
            else:
                self._answer(200, "application/x-amz-json-1.1", b"{}")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(server.server_address[1], flush=True)
    server.serve_forever(poll_interval=0.2)
    return 0


class Stub:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(BENCH / "run"), "_stub"],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            preexec_fn=parent_death_signal,
        )
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line.strip().isdigit():
            raise RuntimeError("stub did not start")
        self.port = int(line)
        self.endpoint = f"http://127.0.0.1:{self.port}"

    def requests(self) -> list[dict[str, Any]]:
        return http_json(self.endpoint, "GET", "/__requests__") or []

    def clear(self) -> None:
        http_json(self.endpoint, "DELETE", "/__requests__")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
