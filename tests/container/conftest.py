"""Fixtures for container tests: the image under the real Docker Engine.

No Docker engine (`docker info` fails): the session ends at once with exit code 77 after printing
why, which CTest reports as SKIPPED (SKIP_RETURN_CODE 77), never as passed. Set
CWP_REQUIRE_DOCKER=1 (CI machines that must have Docker) to make that a failure instead.

  image          session: tag of the image under test. $CWP_IMAGE if set (tested as is, not
                 built); else `cloudwatch-publisher:test-<hash>`, where <hash> covers every file the
                 build reads (Dockerfile, .dockerignore, CMake files, src/): built once with
                 `docker build --network host` if no image has that tag, reused otherwise. Builds
                 are serialised across processes by a file lock; a missing debian:bookworm base is
                 made first by scripts/build-base-image.
  debug_image    session: the `--target debug` image of the same sources (`<tag>-debug`).
  docker_run     docker_run(args=None, env=None, docker_args=None, image=None) -> Container:
                 `docker run -d` with a unique name; removed (`docker rm -f`) after the test.
                 Secrets are passed by name (`-e KEY`, value in the docker client's environment),
                 never on a command line.
  Container      .lines() (docker logs as JSON log lines: stdout INFO/WARN, stderr ERROR),
                 .wait_for(predicate, count, timeout), .wait_exit(timeout), .stop() -> seconds,
                 .exit_code(), .describe().

From tests/integration/conftest.py (loaded under its own module name): moto, aws_cli, get_events,
closed_endpoint, today, and the secret scanning: every container's output is checked against
every known secret, at once and again at session end.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import io
import json
import os
import shlex
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SUPPORT = REPO_ROOT / "tests" / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

import json_log  # noqa: E402


def _load_integration_conftest() -> Any:
    """tests/integration/conftest.py as module `cwp_integration_conftest` (the name `conftest` is
    this file's)."""
    name = "cwp_integration_conftest"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, REPO_ROOT / "tests" / "integration" / "conftest.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_integration = _load_integration_conftest()
# Re-exported so pytest registers them for this directory.
clean_home = _integration.clean_home
moto = _integration.moto
_fresh_logs_state = _integration._fresh_logs_state
aws_cli = _integration.aws_cli
get_events = _integration.get_events
closed_endpoint = _integration.closed_endpoint
today = _integration.today
pytest_sessionfinish = _integration.pytest_sessionfinish
register_secret = _integration.register_secret

DOCKER_SKIP_RC = 77  # CTest: SKIP_RETURN_CODE 77 (tests/container/CMakeLists.txt)
BASE_IMAGE = "debian:bookworm"
IMAGE_REPO = "cloudwatch-publisher"
# What the Dockerfile reads from the context; the image tag is a hash of exactly these.
BUILD_INPUTS = [
    "Dockerfile", ".dockerignore", "CMakeLists.txt", "CMakePresets.json", "cmake", "src",
]
# Compile parallelism inside the build; the same default as scripts/demo (shared layer cache).
BUILD_JOBS = os.environ.get("CWP_JOBS") or str(os.cpu_count() or 2)
BUILD_LOCK = Path(tempfile.gettempdir()) / "cwp-docker-build.lock"


# ------------------------------------------------------------------------------- docker or skip
def _docker(*args: str, timeout: float = 120, check: bool = False,
            env: dict[str, str] | None = None, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, env=env,
        stdin=subprocess.DEVNULL, **kwargs,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"$ docker {shlex.join(args)}\nexit {proc.returncode}\n{proc.stdout}{proc.stderr}"
        )
    return proc


def _docker_unavailable_reason() -> str | None:
    try:
        proc = _docker("info", "--format", "{{.ServerVersion}}", timeout=30)
    except FileNotFoundError:
        return "the docker CLI is not installed"
    except subprocess.TimeoutExpired:
        return "`docker info` did not answer within 30 s"
    if proc.returncode != 0 or not proc.stdout.strip():
        first = (proc.stderr.strip().splitlines() or ["no output"])[0]
        return f"`docker info` failed: {first}"
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    reason = _docker_unavailable_reason()
    if reason is None:
        return
    if os.environ.get("CWP_REQUIRE_DOCKER") == "1":
        pytest.exit(f"container tests: no Docker engine ({reason}) and CWP_REQUIRE_DOCKER=1",
                    returncode=pytest.ExitCode.INTERNAL_ERROR)
    print(f"\ncontainer tests SKIPPED: no Docker engine ({reason})", flush=True)
    pytest.exit(f"container tests skipped: {reason}", returncode=DOCKER_SKIP_RC)


# ------------------------------------------------------------------------------- image
def source_hash() -> str:
    """sha256 over the relative path and bytes of every file the image build reads."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for entry in BUILD_INPUTS:
        path = REPO_ROOT / entry
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            files.append(path)
    for path in sorted(files):
        digest.update(path.relative_to(REPO_ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def image_exists(tag: str) -> bool:
    return _docker("image", "inspect", tag, timeout=30).returncode == 0


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """One `docker build` at a time on this machine, across pytest processes."""
    with open(BUILD_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def ensure_base_image() -> None:
    if image_exists(BASE_IMAGE):
        return
    sys.stderr.write(f"{BASE_IMAGE} missing: running scripts/build-base-image\n")
    proc = subprocess.run(
        [str(REPO_ROOT / "scripts" / "build-base-image")], capture_output=True, text=True,
        timeout=1800, stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        pytest.fail(f"scripts/build-base-image failed ({proc.returncode}):\n"
                    f"{proc.stdout[-4000:]}{proc.stderr[-4000:]}", pytrace=False)


def docker_build(tag: str, log_path: Path, target: str | None = None) -> float:
    """`docker build --network host` of the repository; returns seconds taken."""
    argv = ["build", "--network", "host", "--build-arg", f"CWP_JOBS={BUILD_JOBS}", "-t", tag]
    if target:
        argv += ["--target", target]
    argv.append(str(REPO_ROOT))
    started = time.monotonic()
    with open(log_path, "w") as log:
        proc = subprocess.run(["docker", *argv], stdout=log, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, timeout=3600)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        tail = log_path.read_text(errors="replace")[-6000:]
        pytest.fail(f"$ docker {shlex.join(argv)}\nfailed with {proc.returncode} after "
                    f"{elapsed:.0f} s (log {log_path}):\n{tail}", pytrace=False)
    return elapsed


def _remove_stale_test_tags(keep: set[str]) -> None:
    """Untag earlier `cloudwatch-publisher:test-*` images (other source hashes)."""
    proc = _docker("image", "ls", IMAGE_REPO, "--format", "{{.Repository}}:{{.Tag}}", timeout=30)
    stale = [t for t in proc.stdout.split()
             if t.split(":", 1)[1].startswith("test-") and t not in keep]
    if stale:
        _docker("image", "rm", *stale, timeout=120)


def _image_for(target: str | None, tmp_path_factory: pytest.TempPathFactory) -> str:
    suffix = f"-{target}" if target else ""
    tag = f"{IMAGE_REPO}:test-{source_hash()}{suffix}"
    with build_lock():
        if image_exists(tag):
            sys.stderr.write(f"image {tag}: up to date with the sources, reused\n")
            return tag
        ensure_base_image()
        log_path = tmp_path_factory.mktemp("docker-build") / f"build{suffix}.log"
        elapsed = docker_build(tag, log_path, target)
        sys.stderr.write(f"image {tag}: built in {elapsed:.0f} s (log {log_path})\n")
        keep = {tag, tag + "-debug"} if not target else {tag, tag.removesuffix(suffix)}
        _remove_stale_test_tags(keep)
        return tag


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> str:
    # pytest_sessionstart only runs for conftests loaded at start-up (`pytest tests/container`);
    # from a wider run this is the check.
    reason = _docker_unavailable_reason()
    if reason is not None:
        if os.environ.get("CWP_REQUIRE_DOCKER") == "1":
            pytest.fail(f"no Docker engine ({reason}) and CWP_REQUIRE_DOCKER=1", pytrace=False)
        pytest.skip(f"no Docker engine ({reason})")
    if os.environ.get("CWP_IMAGE"):
        tag = os.environ["CWP_IMAGE"]
        if not image_exists(tag):
            pytest.fail(f"CWP_IMAGE={tag}: no such image", pytrace=False)
        return tag
    return _image_for(None, tmp_path_factory)


@pytest.fixture(scope="session")
def debug_image(image: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if os.environ.get("CWP_DEBUG_IMAGE"):
        return os.environ["CWP_DEBUG_IMAGE"]
    if os.environ.get("CWP_IMAGE"):
        pytest.skip("CWP_IMAGE is set without CWP_DEBUG_IMAGE: no debug image to test")
    return _image_for("debug", tmp_path_factory)


@pytest.fixture(scope="session")
def image_config(image: str) -> dict[str, Any]:
    proc = _docker("image", "inspect", image, check=True)
    return json.loads(proc.stdout)[0]


@pytest.fixture(scope="session")
def image_files(image: str) -> dict[str, tuple[tarfile.TarInfo, bytes | None]]:
    """The image's filesystem as `docker export` gives it: path -> (TarInfo, bytes of regular
    files up to 1 MiB, else None)."""
    cid = _docker("create", image, check=True).stdout.strip()
    try:
        proc = subprocess.run(["docker", "export", cid], capture_output=True, timeout=120,
                              stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    finally:
        _docker("rm", "-f", cid)
    files: dict[str, tuple[tarfile.TarInfo, bytes | None]] = {}
    with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
        for info in tar:
            data = None
            if info.isfile() and info.size <= 1 << 20:
                extracted = tar.extractfile(info)
                data = extracted.read() if extracted else None
            name = info.name.removeprefix("./").rstrip("/")
            files[name] = (info, data)
    return files


# ------------------------------------------------------------------------------- containers
class Container:
    """One `docker run -d` container, referred to by its unique name."""

    def __init__(self, name: str, argv: list[str]) -> None:
        self.name = name
        self.argv = argv

    def raw_logs(self) -> tuple[str, str]:
        proc = _docker("logs", self.name, timeout=30)
        return proc.stdout, proc.stderr

    def logs(self) -> tuple[str, str]:
        """(stdout, stderr) of the container so far, kept apart as docker logs keeps them;
        fails the test if a known secret appears."""
        out, err = self.raw_logs()
        leaked = _integration._leaks(out + err, _integration._SECRETS)
        if leaked:
            pytest.fail(f"secret(s) {', '.join(leaked)} appeared in `docker logs {self.name}`:\n"
                        + _integration._mask(out + err, _integration._SECRETS), pytrace=False)
        return out, err

    def lines(self) -> list[dict[str, Any]]:
        """stdout then stderr lines as log objects (asserts the log-line contract). The two
        streams are parsed separately, so the order between them is not kept."""
        out, err = self.logs()
        try:
            return json_log.parse_lines(out, "stdout") + json_log.parse_lines(err, "stderr")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.describe()}") from None

    def state(self) -> dict[str, Any]:
        proc = _docker("inspect", "-f", "{{json .State}}", self.name, check=True, timeout=30)
        return json.loads(proc.stdout)

    def running(self) -> bool:
        return bool(self.state()["Running"])

    def exit_code(self) -> int:
        return int(self.state()["ExitCode"])

    def wait_for(self, predicate: Callable[[dict[str, Any]], bool], count: int = 1,
                 timeout: float = 30.0) -> list[dict[str, Any]]:
        """Poll docker logs until `count` lines match `predicate`; fails if the container exits or
        the deadline passes first."""
        deadline = time.monotonic() + timeout
        while True:
            matching = [line for line in self.lines() if predicate(line)]
            if len(matching) >= count:
                return matching
            if not self.running():
                matching = [line for line in self.lines() if predicate(line)]
                if len(matching) >= count:
                    return matching
                raise AssertionError(f"container exited with {self.exit_code()} after "
                                     f"{len(matching)} of {count} matching line(s)\n"
                                     + self.describe())
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(matching)} of {count} matching line(s) within "
                                     f"{timeout} s\n" + self.describe())
            time.sleep(0.2)  # poll interval of a deadline-bounded wait

    def wait_exit(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while self.running():
            if time.monotonic() > deadline:
                raise AssertionError(f"container still running after {timeout} s\n"
                                     + self.describe())
            time.sleep(0.1)  # poll interval of a deadline-bounded wait
        return self.exit_code()

    def stop(self, grace_s: int = 10) -> float:
        """`docker stop -t grace_s` (SIGTERM, SIGKILL after grace_s); seconds it took."""
        started = time.monotonic()
        _docker("stop", "-t", str(grace_s), self.name, check=True, timeout=grace_s + 30)
        return time.monotonic() - started

    def kill(self, signal_name: str) -> None:
        _docker("kill", "-s", signal_name, self.name, check=True, timeout=30)

    def describe(self) -> str:
        try:
            out, err = self.raw_logs()
            state = self.state()
            status = f"{state['Status']} (exit {state['ExitCode']})"
        except Exception as e:  # the description must not hide the real failure
            out, err, status = "", "", f"unknown ({e})"
        text = (f"$ {shlex.join(self.argv)}\ncontainer {self.name}: {status}\n"
                f"--- stdout ---\n{out}--- stderr ---\n{err}")
        return _integration._mask(text, _integration._SECRETS)


@pytest.fixture
def docker_run(image: str, request: pytest.FixtureRequest) -> Iterator[Callable[..., Container]]:
    started: list[Container] = []

    def run(args: list[str] | None = None, env: dict[str, str] | None = None,
            docker_args: list[str] | None = None, image_tag: str | None = None) -> Container:
        name = f"cwp-test-{uuid.uuid4().hex[:12]}"
        client_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        argv = ["docker", "run", "-d", "--name", name, *(docker_args or [])]
        for key, value in (env or {}).items():
            client_env[key] = value
            argv += ["-e", key]  # the value travels in the client's environment, not argv
            if key in _integration.SECRET_ENV_VARS:
                register_secret(value)
        argv += [image_tag or image, *(args or [])]
        container = Container(name, argv)
        started.append(container)
        proc = subprocess.run(argv, env=client_env, capture_output=True, text=True, timeout=60,
                              stdin=subprocess.DEVNULL)
        if proc.returncode != 0:
            raise AssertionError(f"$ {shlex.join(argv)}\nexit {proc.returncode}\n{proc.stderr}")
        return container

    try:
        yield run
    finally:
        for container in started:
            with contextlib.suppress(Exception):
                out, err = container.raw_logs()
                _integration._RECORDED.append((request.node.nodeid, container.argv, out, err))
            _docker("rm", "-f", container.name, timeout=60)
