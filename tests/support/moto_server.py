"""A moto server on 127.0.0.1 with IAM auth enforced, for integration tests.

Contract:
  * `MotoServer().start()` launches `python -m moto.server -H 127.0.0.1 -p <free port>` (the same
    interpreter that runs the tests, so no pyenv shim sits in between and the PID is moto's own),
    waits until `GET /moto-api/data.json` answers (polling with a deadline, never a fixed sleep),
    creates the identities below while auth is still off, then turns auth ON
    (`POST /moto-api/reset-auth` body `0`). From then on every request must be SigV4-signed by a
    known access key and is checked against that user's IAM policy.
  * Identities (IAM users in account 123456789012, one access key each):
      publisher  logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents, sts:GetCallerIdentity
      reader     logs:*  (the independent read-back client)
      nologs     sts:GetCallerIdentity only (missing-permission tests)
      admin      *       (lets a test create more identities after auth is on)
    moto cannot match resource ARNs for logs, so every policy uses Resource "*".
  * `reset()` deletes every CloudWatch Logs group (in every region) as `reader`; IAM users and
    their keys survive. (`/moto-api/reset` would wipe IAM too and mint new keys.)
  * `stop()` sends SIGTERM, waits for the PID, SIGKILLs after a deadline.

Only the standard library is needed, except botocore (installed with awscli) for its SigV4
signer, imported lazily.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Iterable, Mapping

DEFAULT_REGION = "ap-southeast-2"
ACCOUNT_ID = "123456789012"
LOGS_TARGET_PREFIX = "Logs_20140328."
_DUMMY_KEY = "testing"  # any key works while auth is off; moto maps it to ACCOUNT_ID


@dataclasses.dataclass(frozen=True)
class Identity:
    """One set of credentials known to the server."""

    name: str
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None
    arn: str = ""
    account: str = ACCOUNT_ID

    def env(self) -> dict[str, str]:
        """The AWS_* credential variables for this identity."""
        env = {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        return env

    def secrets(self) -> list[str]:
        return [s for s in (self.secret_access_key, self.session_token) if s]


@dataclasses.dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def error_code(self) -> str | None:
        """AWS error code from a JSON (`__type`) or XML (`<Code>`) error body, if any."""
        if self.status < 300:
            return None
        if "x-amzn-errortype" in self.headers:
            return self.headers["x-amzn-errortype"].split(":")[0]
        try:
            doc = json.loads(self.body)
            if isinstance(doc, dict) and "__type" in doc:
                return str(doc["__type"]).split("#")[-1]
        except ValueError:
            pass
        try:
            code = ET.fromstring(self.body).find(".//{*}Code")
            if code is None:
                code = ET.fromstring(self.body).find(".//Code")
            return code.text if code is not None else None
        except ET.ParseError:
            return None


class MotoError(RuntimeError):
    pass


def free_port(host: str = "127.0.0.1") -> int:
    """A port that was free a moment ago (bind to :0, read, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _parent_death_signal() -> None:  # runs in the child between fork and exec
    """Ask Linux to SIGTERM the child if the test process dies without cleaning up."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # best effort only
        pass


def _policy(actions: Iterable[str]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


BOOTSTRAP_IDENTITIES: dict[str, list[str]] = {
    "publisher": [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sts:GetCallerIdentity",
    ],
    "reader": ["logs:*", "sts:GetCallerIdentity"],
    "nologs": ["sts:GetCallerIdentity"],
    "admin": ["*"],
}


class MotoServer:
    """One moto server process; see the module docstring."""

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        log_path: str | os.PathLike[str] | None = None,
        startup_timeout_s: float = 30.0,
        enforce_auth: bool = True,
    ) -> None:
        self.region = region
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.identities: dict[str, Identity] = {}
        self.startup_timeout_s = startup_timeout_s
        self.enforce_auth = enforce_auth
        self.timings: dict[str, float] = {}
        self._extra_secrets: set[str] = set()
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file = None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        if log_path is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="moto-")
            log_path = Path(self._tmpdir.name) / "moto.log"
        self.log_path = Path(log_path)

    # ----------------------------------------------------------------------------- lifecycle
    @property
    def endpoint(self) -> str:
        if self.port is None:
            raise MotoError("moto server is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def publisher(self) -> Identity:
        return self.identities["publisher"]

    @property
    def reader(self) -> Identity:
        return self.identities["reader"]

    @property
    def nologs(self) -> Identity:
        return self.identities["nologs"]

    @property
    def admin(self) -> Identity:
        return self.identities["admin"]

    def start(self) -> "MotoServer":
        t0 = time.monotonic()
        last_error: Exception | None = None
        for _attempt in range(3):  # the free port can be taken between probe and bind
            try:
                self._launch(free_port(self.host))
                break
            except MotoError as e:
                last_error = e
                self._kill()
        else:
            raise MotoError(f"moto server did not start: {last_error}")
        self.timings["startup_s"] = time.monotonic() - t0
        t1 = time.monotonic()
        for name, actions in BOOTSTRAP_IDENTITIES.items():
            self.identities[name] = self._create_user(name, actions, signer=None)
        if self.enforce_auth:
            self.set_auth(True)
            # Proof that enforcement is on and the keys work, before any test relies on it.
            res = self.sts_get_caller_identity(self.reader)
            if res.status != 200:
                raise MotoError(f"auth bootstrap failed: {res.status} {res.text}\n{self.log_tail()}")
        self.timings["bootstrap_s"] = time.monotonic() - t1
        return self

    def _launch(self, port: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = "inf"
        env["PYTHONUNBUFFERED"] = "1"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"--- moto_server on {self.host}:{port} ---\n".encode())
        self._log_file.flush()
        self.port = port
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", self.host, "-p", str(port)],
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=env,
            preexec_fn=_parent_death_signal if sys.platform.startswith("linux") else None,
        )
        deadline = time.monotonic() + self.startup_timeout_s
        backoff = 0.02
        while True:
            if self._proc.poll() is not None:
                raise MotoError(
                    f"moto_server exited with {self._proc.returncode} before becoming ready\n"
                    + self.log_tail()
                )
            try:
                res = self._raw("GET", "/moto-api/data.json", timeout=2)
                if res.status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise MotoError(
                    f"moto_server not ready on port {port} after {self.startup_timeout_s:.0f} s\n"
                    + self.log_tail()
                )
            time.sleep(backoff)  # poll interval of a deadline-bounded readiness wait
            backoff = min(backoff * 1.5, 0.2)

    def stop(self, timeout_s: float = 10.0) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=timeout_s)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def __enter__(self) -> "MotoServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def log_tail(self, max_bytes: int = 8000) -> str:
        try:
            data = self.log_path.read_bytes()[-max_bytes:]
        except OSError:
            return "(no moto log)"
        return "--- moto log (tail) ---\n" + data.decode("utf-8", "replace")

    # ----------------------------------------------------------------------------- moto-api
    def _raw(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 10,
    ) -> HttpResult:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=dict(headers or {}))
            resp = conn.getresponse()
            return HttpResult(
                resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
            )
        finally:
            conn.close()

    def set_auth(self, enabled: bool) -> None:
        """Turn IAM enforcement on (every later request is checked) or off."""
        res = self._raw(
            "POST",
            "/moto-api/reset-auth",
            body=b"0" if enabled else b"inf",
            headers={"Content-Type": "text/plain"},
        )
        if res.status != 200:
            raise MotoError(f"reset-auth failed: {res.status} {res.text}")

    def state(self) -> dict[str, Any]:
        """moto's whole in-memory state (`/moto-api/data.json`)."""
        res = self._raw("GET", "/moto-api/data.json", timeout=30)
        if res.status != 200:
            raise MotoError(f"data.json: {res.status}")
        return json.loads(res.body)

    def log_groups(self, region: str | None = None) -> list[dict[str, Any]]:
        """The live log groups of `region` (default: the server's), as `reader` sees them."""
        groups: list[dict[str, Any]] = []
        payload: dict[str, Any] = {}
        while True:
            res = self.logs(self.reader, "DescribeLogGroups", payload, region=region or self.region)
            if res.status != 200:
                raise MotoError(f"DescribeLogGroups: {res.status} {res.text}")
            doc = res.json() or {}
            groups.extend(doc.get("logGroups", []))
            if not doc.get("nextToken"):
                return groups
            payload = {"nextToken": doc["nextToken"]}

    def _regions_with_log_groups(self) -> set[str]:
        # data.json lists every model instance moto still holds, including deleted ones that are
        # not yet garbage-collected: good for finding regions, not for finding live groups.
        regions = {self.region}
        for group in self.state().get("logs", {}).get("LogGroup", []):
            if group.get("region"):
                regions.add(group["region"])
        return regions

    def reset(self) -> None:
        """Delete all log groups (every region) as `reader`; identities are kept."""
        for region in sorted(self._regions_with_log_groups()):
            for group in self.log_groups(region):
                res = self.logs(
                    self.reader, "DeleteLogGroup", {"logGroupName": group["logGroupName"]},
                    region=region,
                )
                if res.status != 200 and res.error_code != "ResourceNotFoundException":
                    raise MotoError(
                        f"reset: DeleteLogGroup {group['logGroupName']}: {res.status} {res.text}"
                    )

    # ----------------------------------------------------------------------------- signed calls
    def signed_request(
        self,
        identity: Identity | None,
        service: str,
        body: bytes,
        headers: Mapping[str, str],
        *,
        region: str | None = None,
        endpoint: str | None = None,
        path: str = "/",
        timeout: float = 10,
    ) -> HttpResult:
        """POST `body` to `endpoint` (default: moto), SigV4-signed by botocore as `identity`.

        `identity=None` signs with a dummy key (only useful while auth is off). `endpoint` may be a
        fault proxy: the Host header that is signed is the one sent to it.
        """
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        endpoint = endpoint or self.endpoint
        url = endpoint.rstrip("/") + path
        if identity is None:
            creds = Credentials(_DUMMY_KEY, _DUMMY_KEY)
        else:
            creds = Credentials(
                identity.access_key_id, identity.secret_access_key, identity.session_token
            )
        request = AWSRequest(method="POST", url=url, data=body, headers=dict(headers))
        SigV4Auth(creds, service, region or self.region).add_auth(request)
        parts = urllib.parse.urlsplit(url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
        try:
            conn.request("POST", parts.path or "/", body=body, headers=dict(request.headers.items()))
            resp = conn.getresponse()
            return HttpResult(
                resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
            )
        finally:
            conn.close()

    def logs(
        self,
        identity: Identity | None,
        operation: str,
        payload: Mapping[str, Any],
        **kwargs: Any,
    ) -> HttpResult:
        """A CloudWatch Logs JSON 1.1 call, e.g. logs(reader, "DescribeLogGroups", {})."""
        return self.signed_request(
            identity,
            "logs",
            json.dumps(payload).encode(),
            {
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": LOGS_TARGET_PREFIX + operation,
            },
            **kwargs,
        )

    def query(
        self,
        identity: Identity | None,
        service: str,
        action: str,
        params: Mapping[str, str],
        version: str,
        **kwargs: Any,
    ) -> HttpResult:
        """An AWS query-protocol call (IAM, STS)."""
        body = urllib.parse.urlencode({"Action": action, "Version": version, **params}).encode()
        return self.signed_request(
            identity,
            service,
            body,
            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            **kwargs,
        )

    def sts_get_caller_identity(self, identity: Identity | None, **kwargs: Any) -> HttpResult:
        return self.query(identity, "sts", "GetCallerIdentity", {}, "2011-06-15", **kwargs)

    def _iam(self, signer: Identity | None, action: str, params: Mapping[str, str]) -> ET.Element:
        res = self.query(signer, "iam", action, params, "2010-05-08", region="us-east-1")
        if res.status != 200:
            raise MotoError(f"IAM {action} failed: {res.status} {res.text}")
        return ET.fromstring(res.body)

    def _create_user(self, name: str, actions: Iterable[str], signer: Identity | None) -> Identity:
        user = self._iam(signer, "CreateUser", {"UserName": name})
        arn_el = user.find(".//{*}Arn")
        self._iam(
            signer,
            "PutUserPolicy",
            {"UserName": name, "PolicyName": f"{name}-policy", "PolicyDocument": _policy(actions)},
        )
        key = self._iam(signer, "CreateAccessKey", {"UserName": name})
        key_id = key.find(".//{*}AccessKeyId")
        secret = key.find(".//{*}SecretAccessKey")
        if key_id is None or secret is None or not key_id.text or not secret.text:
            raise MotoError(f"CreateAccessKey for {name}: unexpected answer")
        return Identity(
            name=name,
            access_key_id=key_id.text,
            secret_access_key=secret.text,
            arn=arn_el.text if arn_el is not None and arn_el.text else "",
        )

    def create_identity(self, name: str, actions: Iterable[str]) -> Identity:
        """A new IAM user with an inline Allow policy on `actions` (Resource "*"), created as
        `admin` (works with auth on). Registered in `identities` and `secrets()`."""
        identity = self._create_user(name, actions, signer=self.admin)
        self.identities[name] = identity
        return identity

    # ----------------------------------------------------------------------------- secrets
    def add_secret(self, secret: str) -> None:
        """Register another secret (e.g. a deliberately wrong key) for leak scanning."""
        if secret:
            self._extra_secrets.add(secret)

    def secrets(self) -> set[str]:
        """Every secret access key / session token known to this server or registered."""
        out = set(self._extra_secrets)
        for identity in self.identities.values():
            out.update(identity.secrets())
        return out

    def env(
        self,
        identity: Identity | str = "publisher",
        endpoint: str | None = None,
        region: str | None = None,
    ) -> dict[str, str]:
        """Environment for the binary: credentials of `identity`, AWS_REGION, AWS_ENDPOINT_URL."""
        if isinstance(identity, str):
            identity = self.identities[identity]
        env = identity.env()
        env["AWS_REGION"] = region or self.region
        env["AWS_ENDPOINT_URL"] = endpoint or self.endpoint
        return env


def main() -> int:
    """`python3 tests/support/moto_server.py`: start a bootstrapped server, print its endpoint and
    the identities as JSON on one line, run until SIGTERM/SIGINT (for demo and bench scripts)."""
    import argparse
    import threading

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", help="moto server log file")
    parser.add_argument("--no-auth", action="store_true", help="leave IAM enforcement off")
    args = parser.parse_args()
    server = MotoServer(log_path=args.log, enforce_auth=not args.no_auth).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    info = {
        "endpoint": server.endpoint,
        "region": server.region,
        "pid": server.pid,
        "identities": {k: dataclasses.asdict(v) for k, v in server.identities.items()},
    }
    print(json.dumps(info), flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
