"""The image's HEALTHCHECK (`cloudwatch-publisher health`, exec form) under Docker, against moto.

Spec (README "Health checks"): `run` writes its delivery state to CWP_HEALTH_FILE, which the image
points into the VOLUME /var/lib/cloudwatch-publisher (writable even with --read-only); `health`
exits 0 while the last delivery is recent enough for the schedule: the second tick after it plus
splay plus 30 s. So the container turns healthy once heartbeats reach CloudWatch Logs and
unhealthy when they stop reaching it. A fast schedule and `--health-*` overrides keep this quick.
"""

from __future__ import annotations

import json
import time
from typing import Any

from conftest import _docker
from fault_proxy import FaultProxy

BINARY = "/usr/local/bin/cloudwatch-publisher"
STATE_DIR = "/var/lib/cloudwatch-publisher"
HARDENED = ["--network", "host", "--read-only", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges"]
FAST_HEALTH = ["--health-interval", "1s", "--health-timeout", "5s", "--health-retries", "1",
               "--health-start-period", "1s"]
PUBLISHED = "Successfully published log to CloudWatch Logs"


def health(container) -> dict[str, Any]:
    return container.state().get("Health") or {}


def wait_health(container, status: str, timeout: float) -> float:
    """Seconds until Docker reports `status`; fails on timeout or if the container exits."""
    started = time.monotonic()
    while True:
        state = container.state()
        current = (state.get("Health") or {}).get("Status")
        if current == status:
            return time.monotonic() - started
        assert state["Running"], f"container exited\n{container.describe()}"
        if time.monotonic() - started > timeout:
            raise AssertionError(f"health still {current!r} after {timeout} s, wanted {status!r}\n"
                                 f"{json.dumps(health(container), indent=1)}\n"
                                 + container.describe())
        time.sleep(0.5)  # poll interval of a deadline-bounded wait


def last_probe_output(container) -> str:
    return (health(container).get("Log") or [{}])[-1].get("Output", "")


def test_image_declares_an_exec_form_healthcheck_and_a_state_volume(image_config):
    config = image_config["Config"]
    check = config["Healthcheck"]
    assert check["Test"] == ["CMD", BINARY, "health"], "exec form: the image has no shell"
    assert check["Interval"] == 30 * 10**9 and check["StartPeriod"] == 60 * 10**9
    assert STATE_DIR in (config.get("Volumes") or {})
    assert f"CWP_HEALTH_FILE={STATE_DIR}/health.json" in config["Env"]


def test_container_turns_healthy_with_heartbeats_and_unhealthy_when_aws_is_unreachable(
    moto, docker_run
):
    proxy = FaultProxy(moto.endpoint).start()
    try:
        container = docker_run(
            env={**moto.env("publisher", endpoint=proxy.url), "CWP_SCHEDULE": "@every 2s",
                 "AWS_MAX_ATTEMPTS": "1"},
            docker_args=HARDENED + FAST_HEALTH,
        )
        took = wait_health(container, "healthy", timeout=60)
        print(f"healthy {took:.1f} s after docker run")
        assert "Healthy: last heartbeat delivered" in last_probe_output(container)
        assert container.wait_for(lambda l: l["message"] == PUBLISHED, timeout=10)

        # The same check by hand, as an operator would run it.
        proc = _docker("exec", container.name, BINARY, "health", timeout=30)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert json.loads(proc.stdout)["message"].startswith("Healthy: ")

        proxy.stop()  # CloudWatch Logs unreachable from now on: connection refused
        stopped = time.monotonic()
        took = wait_health(container, "unhealthy", timeout=90)
        print(f"unhealthy {took:.1f} s after the endpoint went away")
        # Second tick after the last delivery (<= 4 s) + 30 s slack, plus one probe interval.
        assert 30 <= time.monotonic() - stopped <= 60
        output = last_probe_output(container)
        assert "Unhealthy: last heartbeat delivered" in output, output
        assert "expected within" in output, output
        assert container.running(), "unhealthy is reported, the daemon keeps going"
    finally:
        proxy.stop()
    assert container.stop() < 2.0
    assert container.exit_code() == 0, container.describe()
