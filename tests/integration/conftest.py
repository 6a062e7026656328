"""Fixtures for integration tests: the real binary against moto on 127.0.0.1, read back with the
real AWS CLI.

  moto           session: MotoServer with auth ON and identities publisher/reader/nologs/admin
                 (tests/support/moto_server.py). Log groups are wiped before every test that uses it.
  binary         session: path of cloudwatch-publisher ($CWP_BINARY, else <repo>/build/...);
                 fails (not skips) when missing.
  fault_proxy    function: FaultProxy in front of moto (tests/support/fault_proxy.py), stopped after.
  aws_cli        aws_cli(identity, *args, region=, endpoint=, env=) -> parsed JSON (None if no output);
                 aws_cli.run(...) -> CliResult(rc, stdout, stderr) without the rc check.
  run_binary     run_binary(args, env=None, timeout=30, input=None) -> BinaryResult(rc, stdout,
                 stderr); `input` (bytes) is fed to stdin, else stdin is /dev/null
                 (unpacks as a 3-tuple; also .elapsed_s, .out_lines, .err_lines).
  get_events     get_events(group, stream, expected=1, region=None, timeout=15) -> [event, ...]
                 polls get-log-events --start-from-head as `reader` until `expected` events exist.
  closed_endpoint  function: http://127.0.0.1:PORT that refuses connections (port held bound).
  today          the UTC date (YYYY-MM-DD) now.

Secret scanning: every run_binary output is checked at once against every secret known so far
(all identities' secret keys and tokens, plus any AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN a test
passes to the binary); at session end all recorded output is checked again against the final set,
and a leak makes the session fail.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "support"))

import json_log  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from moto_server import Identity, MotoServer  # noqa: E402

SECRET_ENV_VARS = ("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
# Test traffic stays on 127.0.0.1: without credentials the chain would end at EC2 instance
# metadata (169.254.169.254), which some test machines answer. A test may override it.
NO_METADATA = {"AWS_EC2_METADATA_DISABLED": "true"}
MIN_SECRET_LEN = 8  # shorter values (e.g. "x") would match by accident
PASSTHROUGH_ENV_PREFIXES = ("ASAN_", "UBSAN_", "LSAN_", "MSAN_", "TSAN_", "LLVM_PROFILE_")

# ------------------------------------------------------------------------------- secret registry
_SECRETS: set[str] = set()
_RECORDED: list[tuple[str, list[str], str, str]] = []  # (test id, argv, stdout, stderr)


def register_secret(value: str | None) -> None:
    if value and len(value) >= MIN_SECRET_LEN:
        _SECRETS.add(value)


def _leaks(text: str, secrets: set[str]) -> list[str]:
    return sorted(s[:4] + "..." for s in secrets if s in text)


def _mask(text: str, secrets: set[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, f"<secret {secret[:4]}...>")
    return text


# (title, text) sections a test module wants shown at the end of the run (e.g. measured figures).
SUMMARY_SECTIONS: list[tuple[str, str]] = []


def pytest_configure(config: pytest.Config) -> None:
    # scripts/test runs `-m memory` again on the plain Release binary, where peak RSS is ours.
    config.addinivalue_line("markers", "memory: bounds our peak RSS (skipped under ASan)")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for title, text in SUMMARY_SECTIONS:
        terminalreporter.write_sep("-", title)
        terminalreporter.write(text)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    leaks = []
    for test_id, argv, out, err in _RECORDED:
        found = _leaks(out + err, _SECRETS)
        if found:
            leaks.append(f"{test_id}: {shlex.join(argv)} printed secret(s) {', '.join(found)}")
    if leaks:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = "SECRET LEAK in binary output (product rule: secrets never appear in logs):\n"
        message += "\n".join("  " + line for line in leaks)
        if reporter is not None:
            reporter.write_line("")
            reporter.write_sep("=", "secret leak", red=True, bold=True)
            reporter.write_line(message, red=True, bold=True)
        else:
            print(message, file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# ------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def clean_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty HOME for child processes: no ~/.aws of the developer leaks into a test."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(log_path=tmp_path_factory.mktemp("moto") / "moto.log")
    server.start()
    for secret in server.secrets():
        register_secret(secret)
    sys.stderr.write(
        f"moto on {server.endpoint}: started in {server.timings['startup_s']:.2f} s, "
        f"identities in {server.timings['bootstrap_s']:.2f} s (log {server.log_path})\n"
    )
    try:
        yield server
    finally:
        for secret in server.secrets():  # identities created by tests
            register_secret(secret)
        server.stop()


@pytest.fixture(autouse=True)
def _fresh_logs_state(request: pytest.FixtureRequest) -> None:
    """Every test that touches moto starts without log groups (IAM identities are kept)."""
    if "moto" in request.fixturenames:
        request.getfixturevalue("moto").reset()


@pytest.fixture(scope="session")
def binary() -> Path:
    path = Path(os.environ.get("CWP_BINARY") or REPO_ROOT / "build" / "cloudwatch-publisher")
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"binary not found or not executable: {path} "
            "(build it with `cmake --preset dev && cmake --build --preset dev`, or set CWP_BINARY)",
            pytrace=False,
        )
    return path


@pytest.fixture
def fault_proxy(moto: MotoServer) -> Iterator[FaultProxy]:
    proxy = FaultProxy(moto.endpoint).start()
    try:
        yield proxy
    finally:
        proxy.stop()


@pytest.fixture
def closed_endpoint() -> Iterator[str]:
    """http://127.0.0.1:PORT where nothing listens: the port is held bound (not listening) for the
    test, so connecting is refused and no other process can take it meanwhile."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


@pytest.fixture
def without_credentials(moto: MotoServer) -> dict[str, str]:
    """moto's endpoint and region variables, with no AWS credential variable at all."""
    return {
        k: v
        for k, v in moto.env("publisher").items()
        if not k.startswith(("AWS_ACCESS", "AWS_SECRET", "AWS_SESSION"))
    }


@pytest.fixture
def today() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d")


# ------------------------------------------------------------------------------- AWS CLI
@dataclasses.dataclass
class CliResult:
    rc: int
    stdout: str
    stderr: str

    def __iter__(self) -> Iterator[Any]:
        return iter((self.rc, self.stdout, self.stderr))


class AwsCliError(AssertionError):
    pass


class AwsCli:
    """The real AWS CLI (awscli from the test interpreter), in a clean environment."""

    def __init__(self, moto: MotoServer, home: Path) -> None:
        self.moto = moto
        self.home = home
        try:
            import awscli  # noqa: F401

            # `python -m awscli` of this interpreter: no pyenv shim, which needs the real HOME.
            self.command = [sys.executable, "-m", "awscli"]
        except ImportError:
            aws = shutil.which("aws")
            if aws is None:
                pytest.fail("the AWS CLI is not installed (scripts/test installs it)", pytrace=False)
            self.command = [aws]

    def _identity(self, identity: Identity | str) -> Identity:
        return self.moto.identities[identity] if isinstance(identity, str) else identity

    def run(
        self,
        identity: Identity | str,
        *args: str,
        region: str | None = None,
        endpoint: str | None = None,
        env: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> CliResult:
        ident = self._identity(identity)
        child_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "AWS_DEFAULT_REGION": region or self.moto.region,
            "AWS_PAGER": "",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
            "LC_ALL": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            **ident.env(),
            **(env or {}),
        }
        argv = [
            *self.command,
            "--endpoint-url",
            endpoint or self.moto.endpoint,
            "--region",
            region or self.moto.region,
            "--output",
            "json",
            *args,
        ]
        proc = subprocess.run(
            argv,
            env=child_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    def __call__(self, identity: Identity | str, *args: str, **kwargs: Any) -> Any:
        result = self.run(identity, *args, **kwargs)
        if result.rc != 0:
            raise AwsCliError(
                f"aws {' '.join(args)} as {self._identity(identity).name} failed with "
                f"{result.rc}:\n{result.stderr}"
            )
        return json.loads(result.stdout) if result.stdout.strip() else None


@pytest.fixture
def aws_cli(moto: MotoServer, clean_home: Path) -> AwsCli:
    return AwsCli(moto, clean_home)


@pytest.fixture
def get_events(aws_cli: AwsCli):
    def get(
        group: str,
        stream: str,
        expected: int = 1,
        region: str | None = None,
        timeout: float = 15.0,
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        last = ""
        while True:
            result = aws_cli.run(
                "reader",
                "logs",
                "get-log-events",
                "--log-group-name",
                group,
                "--log-stream-name",
                stream,
                "--start-from-head",
                region=region,
            )
            if result.rc == 0:
                events = json.loads(result.stdout)["events"]
                if len(events) >= expected:
                    return events
                last = f"{len(events)} event(s): {events}"
            else:
                last = result.stderr.strip()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"expected {expected} event(s) in {group} / {stream} within {timeout} s; "
                    f"last answer: {last}"
                )
            time.sleep(0.2)  # poll interval of a deadline-bounded wait

    return get


# ------------------------------------------------------------------------------- the binary
@dataclasses.dataclass
class BinaryResult:
    rc: int
    stdout: str
    stderr: str
    argv: list[str]
    elapsed_s: float

    def __iter__(self) -> Iterator[Any]:
        return iter((self.rc, self.stdout, self.stderr))

    @property
    def out_lines(self) -> list[dict[str, Any]]:
        """stdout as log objects; asserts the log-line contract (INFO/WARN only)."""
        return json_log.parse_lines(self.stdout, "stdout")

    @property
    def err_lines(self) -> list[dict[str, Any]]:
        """stderr as log objects; asserts the log-line contract (ERROR only)."""
        return json_log.parse_lines(self.stderr, "stderr")

    @property
    def all_lines(self) -> list[dict[str, Any]]:
        return self.out_lines + self.err_lines

    def describe(self) -> str:
        return (
            f"$ {shlex.join(self.argv)}\nexit {self.rc} after {self.elapsed_s:.2f} s\n"
            f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}"
        )


def binary_env(clean_home: Path, env: dict[str, str | None] | None) -> dict[str, str]:
    """The environment our binary runs with: ONLY PATH, HOME (empty dir), sanitizer options and
    the given variables (None removes one). Secrets in it are registered for the output scan."""
    child_env: dict[str, str] = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(clean_home),
        **NO_METADATA,
    }
    child_env.update({k: v for k, v in os.environ.items() if k.startswith(PASSTHROUGH_ENV_PREFIXES)})
    for key, value in (env or {}).items():
        if value is None:
            child_env.pop(key, None)
        else:
            child_env[key] = value
    for key in SECRET_ENV_VARS:
        register_secret(child_env.get(key))
    return child_env


@pytest.fixture
def run_binary(binary: Path, clean_home: Path, request: pytest.FixtureRequest):
    """Run the binary with ONLY PATH, HOME (empty dir) and the given variables set."""

    def run(
        args: list[str] | str,
        env: dict[str, str | None] | None = None,
        timeout: float = 30.0,
        input: bytes | None = None,
    ) -> BinaryResult:
        argv = [str(binary), *(shlex.split(args) if isinstance(args, str) else args)]
        child_env = binary_env(clean_home, env)
        started = time.monotonic()
        try:
            proc = subprocess.run(
                argv,
                env=child_env,
                input=input,
                stdin=subprocess.DEVNULL if input is None else None,
                capture_output=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode("utf-8", "replace")
            err = (e.stderr or b"").decode("utf-8", "replace")
            _RECORDED.append((request.node.nodeid, argv, out, err))
            pytest.fail(
                f"binary did not exit within {timeout} s: {shlex.join(argv)}\n"
                f"--- stdout ---\n{out}--- stderr ---\n{err}",
                pytrace=False,
            )
        result = BinaryResult(
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
            argv,
            time.monotonic() - started,
        )
        _RECORDED.append((request.node.nodeid, argv, result.stdout, result.stderr))
        leaked = _leaks(result.stdout + result.stderr, _SECRETS)
        if leaked:
            pytest.fail(
                f"secret(s) {', '.join(leaked)} appeared in the binary's output\n"
                + _mask(result.describe(), _SECRETS),
                pytrace=False,
            )
        return result

    return run


# ------------------------------------------------------------------------------- daemon runner
class Daemon:
    """A running `cloudwatch-publisher run`: its output is collected by reader threads."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import threading

        self.argv = argv
        self.proc = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._out: list[str] = []
        self._err: list[str] = []
        self._cond = threading.Condition()
        self._threads = [
            threading.Thread(target=self._pump, args=(self.proc.stdout, self._out), daemon=True),
            threading.Thread(target=self._pump, args=(self.proc.stderr, self._err), daemon=True),
        ]
        for t in self._threads:
            t.start()
        self.started = time.monotonic()

    def _pump(self, stream: Any, sink: list[str]) -> None:
        for raw in iter(stream.readline, b""):
            with self._cond:
                sink.append(raw.decode("utf-8", "replace"))
                self._cond.notify_all()

    def lines(self) -> list[dict[str, Any]]:
        with self._cond:
            out, err = "".join(self._out), "".join(self._err)
        return json_log.parse_lines(out, "stdout") + json_log.parse_lines(err, "stderr")

    def wait_for(self, predicate: Any, count: int = 1, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Waits until `count` log lines satisfy `predicate`; returns them."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [line for line in self.lines() if predicate(line)]
            if len(matching) >= count:
                return matching
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited ({self.proc.returncode}) while waiting\n{self.text()}")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {count} matching lines\n{self.text()}")
            with self._cond:
                self._cond.wait(min(remaining, 0.5))

    def text(self) -> str:
        with self._cond:
            return "--- stdout ---\n" + "".join(self._out) + "--- stderr ---\n" + "".join(self._err)

    def stop(self, sig: int = 15, timeout: float = 10.0) -> tuple[int, float]:
        """Sends `sig`; returns (exit code, seconds until the process exited)."""
        sent = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout)
        elapsed = time.monotonic() - sent
        for t in self._threads:
            t.join(timeout=5)
        return rc, elapsed

    def wait_exit(self, timeout: float = 30.0) -> int:
        rc = self.proc.wait(timeout=timeout)
        for t in self._threads:
            t.join(timeout=5)
        return rc


@pytest.fixture
def start_daemon(binary: Path, clean_home: Path, request: pytest.FixtureRequest):
    """Starts `cloudwatch-publisher run` in the background with a clean environment. Every
    daemon is killed at the end of the test and its output is checked for secrets."""
    daemons: list[Daemon] = []

    def start(env: dict[str, str | None], args: list[str] | None = None) -> Daemon:
        d = Daemon([str(binary), *(args or ["run"])], binary_env(clean_home, env))
        daemons.append(d)
        return d

    yield start
    for d in daemons:
        if d.proc.poll() is None:
            d.proc.kill()
            d.proc.wait()
        text = d.text()
        _RECORDED.append((request.node.nodeid, d.argv, text, ""))
        leaked = _leaks(text, _SECRETS)
        assert not leaked, f"secret(s) {', '.join(leaked)} appeared in the daemon's output"
