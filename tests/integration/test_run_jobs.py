"""`cloudwatch-publisher run` with a crontab (CWP_CRONTAB) against moto, read back with the AWS
CLI as `reader`.

Spec (docs/jobs.md "Jobs in run", "Running a job", "Results and metrics", "Reloading the
crontab"): every job of the crontab runs on its own schedule beside the heartbeat (or without
one: CWP_SCHEDULE=off); each output line is an event of the job's stream and each run ends with
one result event (EMF with CWP_EMF_NAMESPACE) whose outcome is success, failure or timeout; a run
due while the previous one still goes is skipped (a `skipped` result and a WARN) with
overlap=skip; our log has one line per run, ERROR for failures and timeouts. SIGTERM while a job
runs stops it, ships its output and result, exits 0. SIGHUP reads the crontab again: new and
changed jobs from their next run, running runs go on with every event kept; a broken new crontab
is an ERROR naming file:line:column and the old one stays in force.
"""

from __future__ import annotations

import json
import re
import signal
import socket
from pathlib import Path
from typing import Any

import readme_examples

GROUP = "/monorepo-fem/heartbeat"


def results(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(e["message"]) for e in events
            if e["message"].startswith('{"event":"job_result"')]


def crontab(tmp_path: Path, text: str) -> str:
    path = tmp_path / "crontab"
    path.write_text(text)
    return str(path)


SCENARIO = """\
# cwp: name=ok
@every 2s echo fine-1; echo fine-2
# cwp: name=bad
@every 2s echo broken >&2; exit 4
# cwp: name=slow timeout=500ms kill_grace=200ms
@every 2s echo start; sleep 30
# cwp: name=long
@every 2s echo busy; sleep 3
"""
NAMESPACE = "Jobs/Scenario"


def ran(job: str, outcome: str):
    return lambda line: line.get("job") == job and line.get("outcome") == outcome


def assert_emf(result: dict[str, Any]) -> None:
    """The result event is an EMF document whose metrics say what its outcome says."""
    directive = result["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == NAMESPACE
    assert "Job" in directive["Dimensions"][0], directive
    names = {m["Name"] for m in directive["Metrics"]}
    outcome = result["outcome"]
    assert result["JobSuccess"] == (1 if outcome == "success" else 0), result
    assert result["JobFailure"] == (1 if outcome in ("failure", "timeout") else 0), result
    if outcome == "skipped":
        assert "JobDuration" not in result and "JobDuration" not in names, result
    else:
        assert result["JobDuration"] == result["duration_ms"], result
        assert names == {"JobSuccess", "JobFailure", "JobDuration"}, directive


def stopped_by_shutdown(r: dict[str, Any]) -> bool:
    return r["outcome"] == "failure" and r.get("reason", "").startswith("stopped: ")


def test_succeeding_failing_timing_out_and_overlapping_jobs_are_recorded(
    moto, start_daemon, get_events, tmp_path, today
):
    """The issue's "Done when" scenario, read back with the AWS CLI: every output line, every
    result with its outcome and EMF metrics, and an ERROR line of ours per failed run."""
    daemon = start_daemon({**moto.env("publisher"), "CWP_CRONTAB": crontab(tmp_path, SCENARIO),
                           "CWP_SCHEDULE": "off", "CWP_EMF_NAMESPACE": NAMESPACE})
    daemon.wait_for(ran("ok", "success"), count=6)
    daemon.wait_for(ran("bad", "failure"), count=3)
    daemon.wait_for(ran("slow", "timeout"), count=3)
    daemon.wait_for(ran("long", "success"), count=2)
    daemon.wait_for(ran("long", "skipped"), count=2)
    rc, _ = daemon.stop()
    assert rc == 0, daemon.text()

    lines = daemon.lines()
    logged = {line["run_id"]: line for line in lines if "run_id" in line and "outcome" in line}
    stopped: set[str] = set()
    for job in ("ok", "bad", "slow", "long"):
        ours = [line for line in logged.values() if line["job"] == job]
        # Each run's output lines and its result event, all in the job's stream.
        expected = len(ours) + sum(line["output_lines"] for line in ours)
        events = get_events(GROUP, f"job-{job}-{today}", expected=expected)
        assert len(events) == expected, (job, events)
        stored = results(events)
        assert {r["run_id"]: r["outcome"] for r in stored} == {
            run_id: line["outcome"] for run_id, line in logged.items() if line["job"] == job}
        for r in stored:
            assert_emf(r)
            level = logged[r["run_id"]]["level"]
            assert level == {"success": "INFO", "skipped": "WARN"}.get(r["outcome"], "ERROR"), r
        output = [e["message"] for e in events if not e["message"].startswith('{"event":')]
        assert len(output) == sum(r["output_lines"] for r in stored), (job, events)
        # What each job's runs ended as; a run SIGTERM caught is a failure that says so.
        finished = [r for r in stored if not stopped_by_shutdown(r)]
        stopped |= {r["run_id"] for r in stored if stopped_by_shutdown(r)}
        if job == "ok":
            assert {r["outcome"] for r in finished} == {"success"}
            assert output[:4] == ["fine-1", "fine-2", "fine-1", "fine-2"]
        elif job == "bad":
            assert all(r["outcome"] == "failure" and r["exit_code"] == 4 for r in finished)
            assert all(r["output_tail"] == "broken\n" for r in finished)
            assert set(output) == {"broken"}
        elif job == "slow":
            assert {r["outcome"] for r in finished} == {"timeout"}
            assert all(r["signal"] == "SIGTERM" and r["duration_ms"] < 2000 for r in finished)
            assert set(output) == {"start"}
        else:
            assert {r["outcome"] for r in finished} == {"success", "skipped"}
            assert all(r["reason"] == "the previous run is still going (overlap=skip)"
                       for r in finished if r["outcome"] == "skipped")
    errors = [line for line in lines
              if line["level"] == "ERROR" and line.get("run_id") not in stopped]
    assert {line["job"] for line in errors} == {"bad", "slow"}, errors
    assert any(line["message"] == "job bad failed: exit code 4" for line in errors)
    assert any(line["message"].startswith("job slow timed out after ") for line in errors)


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


def replace_file(path: Path, text: str) -> None:
    """Writes `text` over `path` at once, as an editor or a ConfigMap update does."""
    new = path.with_name(path.name + ".new")
    new.write_text(text)
    new.replace(path)


def test_sighup_reloads_the_crontab_and_a_running_job_loses_no_event(
    moto, start_daemon, get_events, tmp_path, today
):
    path = tmp_path / "crontab"
    replace_file(path, "# cwp: name=long\n"
                       "@every 1s for i in $(seq 1 12); do echo line-$i; sleep 0.5; done\n")
    daemon = start_daemon({**moto.env("publisher"), "CWP_CRONTAB": str(path),
                           "CWP_SCHEDULE": "off"})
    # Readiness: the first run is going and its first line is stored (it runs for 6 s).
    assert get_events(GROUP, f"job-long-{today}", expected=1)[0]["message"] == "line-1"

    replace_file(path, "# cwp: name=long\n@every 1s echo changed\n"
                       "# cwp: name=fresh\n@every 1s echo fresh\n")
    daemon.proc.send_signal(signal.SIGHUP)
    (reloaded,) = daemon.wait_for(lambda l: l["message"].startswith("Reloaded the crontab"))
    assert reloaded["message"] == (
        "Reloaded the crontab: 2 jobs scheduled (1 added, 1 changed, 0 removed)"), reloaded
    assert reloaded["level"] == "INFO" and reloaded["running"] == 1, reloaded
    assert any(l["message"] == "Received SIGHUP, reloading the crontab and credentials"
               for l in daemon.lines())
    daemon.wait_for(ran("fresh", "success"), count=2)
    # The run that was going when the crontab changed, then a run of the changed command.
    daemon.wait_for(ran("long", "success"), count=2, timeout=20)
    rc, _ = daemon.stop()
    assert rc == 0, daemon.text()

    logged = [l for l in daemon.lines() if l.get("job") == "long" and "outcome" in l]
    expected = len(logged) + sum(l["output_lines"] for l in logged)
    events = get_events(GROUP, f"job-long-{today}", expected=expected)
    assert len(events) == expected, events
    messages = [e["message"] for e in events]
    # Every line of the run that spanned the reload, in order, then its result (the runs due
    # meanwhile were skipped: their results come in between).
    assert [m for m in messages if m.startswith("line-")] == [f"line-{i}" for i in range(1, 13)]
    stored = [json.loads(m) for m in messages if m.startswith('{"event":')]
    first = next(r for r in stored if r["run_id"].endswith("-long-1"))
    assert first["outcome"] == "success" and first["output_lines"] == 12, first
    first_at = next(i for i, m in enumerate(messages) if f'"run_id":"{first["run_id"]}"' in m)
    assert first_at > messages.index("line-12")
    # Run numbers go on over the reload.
    numbers = sorted(int(r["run_id"].rsplit("-", 1)[1]) for r in stored)
    assert numbers == list(range(1, len(stored) + 1)), stored
    assert {r["outcome"] for r in stored if r is not first} == {"skipped", "success"}
    assert "changed" in messages[first_at:]  # the new command, once the old run had ended
    fresh = get_events(GROUP, f"job-fresh-{today}", expected=2)
    assert fresh[0]["message"] == "fresh"


def test_a_broken_crontab_on_sighup_is_an_error_and_the_old_jobs_keep_running(
    moto, start_daemon, get_events, tmp_path, today
):
    path = tmp_path / "crontab"
    replace_file(path, "# cwp: name=tick\n@every 1s echo tick\n")
    daemon = start_daemon({**moto.env("publisher"), "CWP_CRONTAB": str(path),
                           "CWP_SCHEDULE": "off"})
    daemon.wait_for(ran("tick", "success"))

    replace_file(path, "# cwp: name=other\n@every 1s echo other\n61 * * * * echo never\n")
    daemon.proc.send_signal(signal.SIGHUP)
    (error,) = daemon.wait_for(lambda l: l["message"].startswith("Could not reload the crontab"))
    assert error["level"] == "ERROR"
    assert error["message"].startswith(f"Could not reload the crontab: {path}:3:1: minute field "
                                       "'61' is out of range 0-59"), error
    assert error["message"].endswith("; the previous crontab stays in force (1 jobs)"), error
    ticks = len([l for l in daemon.lines() if ran("tick", "success")(l)])
    daemon.wait_for(ran("tick", "success"), count=ticks + 2)  # the old crontab is in force
    rc, _ = daemon.stop()
    assert rc == 0, daemon.text()
    assert not any(l.get("job") == "other" for l in daemon.lines())
    assert get_events(GROUP, f"job-tick-{today}", expected=2 * (ticks + 2))


def test_the_readme_jobs_example_runs_and_records_its_job(
    moto, start_daemon, get_events, tmp_path, today
):
    """README.md "Jobs": the crontab and the command, as shown."""
    section = readme_examples.section("Jobs", readme_examples.README)
    [tab] = re.findall(r"```crontab\n(.*?)```", section, re.S)
    (tmp_path / "crontab").write_text(tab)
    words = readme_examples.command("CWP_CRONTAB=crontab ")
    assignments = dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-"))
    program, *args = [w for w in words if "=" not in w]
    assert program == "cloudwatch-publisher" and assignments["CWP_CRONTAB"] == "crontab"
    assignments["CWP_CRONTAB"] = str(tmp_path / "crontab")  # the file saved "as crontab"
    daemon = start_daemon({**moto.env("publisher"), **assignments}, args=args)
    (line,) = daemon.wait_for(ran("hello", "success"), timeout=20)[:1]
    events = get_events(GROUP, f"job-hello-{today}", expected=2)
    assert events[0]["message"] == f"hello from {socket.gethostname()}"
    [result] = results(events[:2])
    assert result["job"] == "hello" and result["outcome"] == "success", result
    assert result["run_id"] == line["run_id"]
    assert daemon.stop()[0] == 0
