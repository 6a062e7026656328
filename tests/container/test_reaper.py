"""Our binary as PID 1 reaps orphans, yet a credential_process keeps its own exit status.

Spec (issue 13.3): as PID 1 the daemon reaps every exited child on SIGCHLD, but a child it spawned
itself (credential_process) is registered when it is spawned and its exit status goes to the
provider that waits for it. So a helper that prints a valid credentials document and exits 1 is
refused with "exited with status 1" every time: never accepted because the reaper took its status
first, never misreported as "not a credentials document".

The image has no shell: the helper is a static C program (helpers/exits_one_after_first.c),
compiled here and mounted read-only. Its first run exits 0 so the daemon starts; SIGHUP then
forces a refresh (the daemon invalidates its credentials), and every refresh after it must fail.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import register_secret

HELPER_SOURCE = Path(__file__).parent / "helpers" / "exits_one_after_first.c"
STATE_DIR = "/var/lib/cloudwatch-publisher"
HARDENED = ["--network", "host", "--read-only", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges"]
PUBLISHED = "Successfully published log to CloudWatch Logs"
REFRESHES = 20


def build_helper(directory: Path) -> Path:
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.fail("no C compiler (cc) to build the credential_process helper", pytrace=False)
    binary = directory / "exits-one-after-first"
    proc = subprocess.run([compiler, "-static", "-O2", "-o", str(binary), str(HELPER_SOURCE)],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"cc failed:\n{proc.stdout}{proc.stderr}"
    binary.chmod(0o755)
    return binary


def refresh_outcome(line: dict[str, Any]) -> str | None:
    """'refused' or 'accepted' for a line that reports what a credentials refresh gave."""
    if line["message"] == "AWS credentials refreshed":
        return "accepted"
    if "credential_process of profile default" in line["message"]:
        return "refused"
    return None


def test_a_helper_that_prints_credentials_and_exits_1_is_refused_on_every_refresh(
    moto, docker_run, tmp_path
):
    helper_dir = tmp_path / "helper"
    helper_dir.mkdir()
    helper_dir.chmod(0o755)  # the container's user (10001) must reach the helper
    build_helper(helper_dir)
    (helper_dir / "config").write_text(
        "[default]\n"
        f"credential_process = /helper/exits-one-after-first {STATE_DIR}/helper-ran\n"
    )
    (helper_dir / "config").chmod(0o644)
    identity = moto.publisher
    register_secret(identity.secret_access_key)
    env = {
        "AWS_REGION": moto.region,
        "AWS_ENDPOINT_URL": moto.endpoint,
        "AWS_CONFIG_FILE": "/helper/config",
        "AWS_SHARED_CREDENTIALS_FILE": "/helper/no-credentials-file",
        "HELPER_KEY_ID": identity.access_key_id,
        "HELPER_SECRET": identity.secret_access_key,
        "CWP_SCHEDULE": "@every 1s",
    }
    container = docker_run(env=env, docker_args=[*HARDENED, "-v", f"{helper_dir}:/helper:ro"])
    (validated,) = container.wait_for(
        lambda l: l["message"].startswith("Environment validation successful"), timeout=60)
    assert validated["credentials_provider"] == "profile:default:credential_process"
    container.wait_for(lambda l: l["message"] == PUBLISHED, timeout=60)

    # Each SIGHUP makes the next delivery fetch credentials again; with the helper failing, every
    # later delivery fetches again too. Collect at least REFRESHES outcomes.
    outcomes: list[dict[str, Any]] = []
    deadline = time.monotonic() + 120
    while len(outcomes) < REFRESHES:
        assert time.monotonic() < deadline, (
            f"{len(outcomes)} of {REFRESHES} refreshes within 120 s\n" + container.describe())
        seen = len(outcomes)
        container.kill("SIGHUP")
        lines = container.wait_for(lambda l: refresh_outcome(l) is not None, count=seen + 1,
                                   timeout=30)
        outcomes = lines

    accepted = [l for l in outcomes if refresh_outcome(l) == "accepted"]
    assert not accepted, (
        f"{len(accepted)} of {len(outcomes)} refreshes accepted a helper that exited 1 "
        "(the PID 1 reaper took its exit status)\n" + container.describe())
    for line in outcomes:
        # Each failed delivery run is a WARN; the outage it makes is the (rate-limited) ERROR.
        assert line["level"] in ("WARN", "ERROR"), line
        assert "exited with status 1" in line["message"], line
        assert "not a credentials document" not in line["message"], line
    assert container.running(), "refused credentials are not fatal\n" + container.describe()
    assert container.stop() < 2.0
    assert container.exit_code() == 0, container.describe()
