"""`cloudwatch-publisher run` with a crontab (CWP_CRONTAB) against moto, read back with the AWS
CLI as `reader`.

Spec (docs/jobs.md "Jobs in run", "Running a job", "Results and metrics"): every job of the
crontab runs on its own schedule beside the heartbeat (or without one: CWP_SCHEDULE=off); each
output line is an event of the job's stream and each run ends with one result event whose
outcome is success, failure or timeout; a run due while the previous one still goes is skipped
(a `skipped` result and a WARN) with overlap=skip; our log has one line per run, ERROR for
failures and timeouts. SIGTERM while a job runs stops it, ships its output and result, exits 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GROUP = "/monorepo-fem/heartbeat"


def results(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(e["message"]) for e in events
            if e["message"].startswith('{"event":"job_result"')]


def crontab(tmp_path: Path, text: str) -> str:
    path = tmp_path / "crontab"
    path.write_text(text)
    return str(path)


def test_succeeding_failing_timing_out_and_overlapping_jobs_are_recorded(
    moto, start_daemon, get_events, tmp_path, today
):
    tab = crontab(tmp_path, """\
# cwp: name=ok
@every 1s echo fine
# cwp: name=bad
@every 1s echo broken >&2; exit 4
# cwp: name=slow timeout=300ms kill_grace=200ms
@every 1s echo start; sleep 30
# cwp: name=long
@every 1s echo busy; sleep 2.5
""")
    daemon = start_daemon({**moto.env("publisher"), "CWP_CRONTAB": tab,
                           "CWP_SCHEDULE": "off"})
    def ran(job: str, outcome: str):
        return lambda line: line.get("job") == job and line.get("outcome") == outcome
    daemon.wait_for(ran("ok", "success"), count=2)
    daemon.wait_for(ran("bad", "failure"), count=2)
    daemon.wait_for(ran("slow", "timeout"), count=2)
    daemon.wait_for(ran("long", "skipped"), count=1)
    rc, _ = daemon.stop()
    assert rc == 0, daemon.text()

    lines = daemon.lines()
    assert all(line["level"] == "ERROR" for line in lines if line.get("job") in ("bad", "slow"))
    assert any(line["level"] == "WARN" and line.get("job") == "long" for line in lines)

    ok = get_events(GROUP, f"job-ok-{today}", expected=4)
    assert [e["message"] for e in ok if not e["message"].startswith("{")][:2] == ["fine", "fine"]
    assert {r["outcome"] for r in results(ok)} == {"success"}
    bad = get_events(GROUP, f"job-bad-{today}", expected=4)
    assert all(r["outcome"] == "failure" and r["exit_code"] == 4 for r in results(bad))
    assert "broken" in [e["message"] for e in bad]
    slow = results(get_events(GROUP, f"job-slow-{today}", expected=4))
    assert slow and all(r["outcome"] == "timeout" for r in slow)
    long = results(get_events(GROUP, f"job-long-{today}", expected=3))
    assert "skipped" in {r["outcome"] for r in long}


def test_sigterm_during_a_run_stops_it_and_ships_its_output_and_result(
    moto, start_daemon, get_events, tmp_path, today
):
    tab = crontab(tmp_path, "# cwp: name=waiting\n@every 1s echo started; sleep 60\n")
    daemon = start_daemon({**moto.env("publisher"), "CWP_CRONTAB": tab})
    # Readiness: the run started and its first line was delivered.
    events = get_events(GROUP, f"job-waiting-{today}", expected=1)
    assert events[0]["message"] == "started"
    rc, elapsed = daemon.stop()
    assert rc == 0, daemon.text()
    assert elapsed < 10, daemon.text()
    # Runs due meanwhile were skipped (overlap=skip); the one that ran was stopped.
    ran = [r for r in results(get_events(GROUP, f"job-waiting-{today}", expected=2))
           if r["outcome"] != "skipped"]
    stopped = ran
    assert len(stopped) == 1, stopped
    assert stopped[0]["outcome"] == "failure" and stopped[0]["signal"] == "SIGTERM"
    assert stopped[0]["reason"].startswith("stopped: cloudwatch-publisher is shutting down")
