"""A job that prints far more than we keep: our memory stays bounded (issue 14, "Done when").

Spec (docs/jobs.md "Running a job"): a job's output is read in bounded pieces with
back-pressure; at most CWP_JOB_MAX_OUTPUT of it is published per run (then a marker event says
it was cut), the rest is counted in the result event, and `exec` still passes every byte through
to our stdout. Whatever the job prints, our peak RSS stays under 32 MiB.

Marker `memory`: the bound is ours only without ASan (its shadow memory and quarantine are
hundreds of MiB), so under ASan the test checks delivery and counts but not the bound, and
scripts/test runs it again on the plain Release binary.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from conftest import binary_env
from process_memory import wait_measuring_peak

GROUP = "/monorepo-fem/heartbeat"
MAX_RSS_BYTES = 32 * 2**20
SANITIZED = os.environ.get("CWP_SANITIZED") == "1"
LINE = b"x" * 99 + b"\n"  # 100 bytes
TOTAL_BYTES = 200 * 10**6
# Published per run (the rest is counted, not published); small enough for one get-log-events page.
MAX_OUTPUT = 512 * 1024


@pytest.mark.memory
def test_a_job_printing_200_mb_is_passed_through_cut_and_counted_in_bounded_memory(
    moto, binary, clean_home, get_events, today, tmp_path
):
    lines = TOTAL_BYTES // len(LINE)
    # The job: 2 million 100-byte lines from python3 (a block at a time, so the job is fast).
    script = (f"import sys; b = {LINE!r} * 10000\n"
              f"for _ in range({lines // 10000}): sys.stdout.buffer.write(b)")
    argv = [str(binary), "exec", "--job", "big", "--job-max-output", str(MAX_OUTPUT), "--",
            "python3", "-c", script]
    passed_through = tmp_path / "stdout"
    with open(passed_through, "wb") as out, open(tmp_path / "stderr", "wb") as err:
        proc = subprocess.Popen(argv, env=binary_env(clean_home, moto.env("publisher")),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        peak = wait_measuring_peak(proc, timeout_s=300)
    stderr = (tmp_path / "stderr").read_text(errors="replace")
    assert proc.returncode == 0, stderr
    print(f"exec of a 200 MB job: peak RSS {peak / 2**20:.1f} MiB")
    # Our own JSON log lines share stdout with the job's output.
    with open(passed_through, "rb") as out:
        job_bytes = sum(len(line) for line in out if not line.startswith(b'{"service":'))
    assert job_bytes == TOTAL_BYTES, "exec must pass every byte through"

    events = get_events(GROUP, f"job-big-{today}")
    result = json.loads(events[-1]["message"])
    assert result["event"] == "job_result" and result["outcome"] == "success", events[-1]
    assert result["output_lines"] == lines and result["output_bytes"] == TOTAL_BYTES, result
    published = [e["message"] for e in events[:-1]]
    marker = [m for m in published if not m.startswith("x")]
    assert len(marker) == 1, marker  # one event says the output was cut
    shipped = sum(len(m) for m in published if m.startswith("x"))  # newlines are not published
    assert MAX_OUTPUT - len(LINE) < shipped <= MAX_OUTPUT, shipped
    if not SANITIZED:
        assert peak <= MAX_RSS_BYTES, f"peak RSS {peak / 2**20:.1f} MiB"
