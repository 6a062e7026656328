"""examples/jobs: a user's own image with the cloudwatch-publisher binary copied in and a crontab.

Spec (docs/jobs.md "Your own image", issue 14.7): the example Dockerfile builds FROM the locally
made debian:bookworm, takes the binary from the publisher image (build ARG CWP_IMAGE, here the
image under test), runs `cloudwatch-publisher run` with its crontab as a non-root user, and its
jobs' output and result events reach CloudWatch Logs (moto, read back with the AWS CLI).
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path
from typing import Any, Iterator

import pytest

from conftest import REPO_ROOT, build_lock

EXAMPLE = REPO_ROOT / "examples" / "jobs"
GROUP = "/monorepo-fem/heartbeat"


@pytest.fixture(scope="module")
def example_image(image: str) -> Iterator[str]:
    tag = f"cloudwatch-publisher-example-jobs:{image.rsplit(':', 1)[1]}"
    argv = ["docker", "build", "--network", "host", "--build-arg", f"CWP_IMAGE={image}",
            "-t", tag, str(EXAMPLE)]
    with build_lock():
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=900,
                              stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, f"$ {shlex.join(argv)}\n{proc.stdout[-4000:]}{proc.stderr[-4000:]}"
    try:
        yield tag
    finally:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True, timeout=120,
                       stdin=subprocess.DEVNULL)


def results(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(e["message"]) for e in events
            if e["message"].startswith('{"event":"job_result"')]


def test_the_example_image_runs_as_non_root_with_its_crontab(example_image, docker_run, moto):
    config = json.loads(subprocess.run(
        ["docker", "image", "inspect", example_image], capture_output=True, text=True,
        timeout=60, check=True).stdout)[0]["Config"]
    assert config["User"] == "10001:10001"
    assert config["Cmd"] == ["run"]
    container = docker_run(env=moto.env("publisher"), docker_args=["--network", "host"],
                           image_tag=example_image)
    (started,) = container.wait_for(lambda l: l["message"] == "Scheduler started")
    assert started["jobs"] == 2 and started["schedule"] == "off", started
    assert container.stop() < 5
    assert container.exit_code() == 0


def test_a_job_of_the_example_ships_its_output_and_result(
    example_image, docker_run, moto, get_events, today, tmp_path
):
    # The example's crontab with its disk report every 2 s instead of every 5 minutes.
    text = (EXAMPLE / "crontab").read_text()
    assert "*/5 * * * *  disk-report.sh /" in text
    tab = tmp_path / "crontab"
    tab.write_text(text.replace("*/5 * * * *  disk-report.sh /", "@every 2s   disk-report.sh /"))
    tab.chmod(0o644)
    tmp_path.chmod(0o755)  # the container's user (10001) reads it
    container = docker_run(
        env=moto.env("publisher"), image_tag=example_image,
        docker_args=["--network", "host", "-v", f"{tab}:/etc/cloudwatch-publisher/crontab:ro"])
    line = container.wait_for(lambda l: l.get("job") == "disk-report", timeout=30)[0]
    assert line["level"] == "INFO" and line["outcome"] == "success", container.describe()

    events = get_events(GROUP, f"job-disk-report-{today}", expected=2)
    assert events[0]["message"].startswith("disk-report: / is "), events
    assert events[0]["message"].endswith("% full"), events
    (result,) = results(events[:2])
    assert result["outcome"] == "success" and result["exit_code"] == 0, result
    assert result["job"] == "disk-report" and result["schedule"] == "@every 2s", result
    assert result["output_lines"] == 1, result

    health = subprocess.run(["docker", "exec", container.name, "cloudwatch-publisher", "health"],
                            capture_output=True, text=True, timeout=30)
    assert health.returncode == 0, health
    assert container.stop() < 10
    assert container.exit_code() == 0
