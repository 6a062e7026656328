"""The fault matrix: `cloudwatch-publisher run` behind the fault proxy
(tests/support/fault_proxy.py) in front of moto, one row per fault. Every row is judged by the same criterion, on what the AWS CLI
reads back from CloudWatch Logs (filter-log-events over the whole group, as `reader`):

  expected    every heartbeat the daemon recorded up to the last one it reports published after
              the fault cleared (sequences 1..N: it numbers them without gaps), minus those the
              service rejected (`rejectedLogEventsInfo`);
  delivered   every expected heartbeat is there, once per id, with its scheduled timestamp: the
              start-up heartbeat at start, then consecutive multiples of the `@every` interval;
  order       the batches that reached moto carry the heartbeats in sequence order (a heartbeat
              kept through a fault is never overtaken by a later one);
  duplicated  0, except in the rows marked ambiguous, where the request reached moto and its
              answer was lost (reset mid-response, response slower than the client's timeout):
              the client cannot know it was stored, so it sends it again and CloudWatch stores it
              twice (product spec section 3). There each duplicate must be the same event (same
              id, timestamp and message) so readers can deduplicate on `id`, and the number of
              duplicates must equal what the proxy saw reach moto twice.

Each row adds its own checks (the log lines that tell an operator what happened, how many
faults fired). Figures per row (expected / delivered / duplicated / rejected / heartbeats
scheduled while the fault lasted / runtime) go to <build dir>/fault-matrix.txt and the pytest
output. The multi-minute outage is real: 3 minutes at `@every 10s`.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import stat
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import SUMMARY_SECTIONS, register_secret

GROUP = "/monorepo-fem/heartbeat"
OUTAGE_S = 180  # "an outage of several minutes"
REQUEST_TIMEOUT_S = 15  # http::send_options::request_timeout (not configurable)


def fired(requests: list[dict]) -> int:
    """How many requests a rule answered (predicates of proxy.wait_for get a snapshot and must
    not call back into the proxy, which holds its lock meanwhile)."""
    return sum(1 for r in requests if r["fault"] not in (None, "skew"))


def skewed(requests: list[dict]) -> list[dict]:
    return [r for r in requests if r["fault"] == "skew"]


def published(line: dict) -> bool:
    return line["message"] == "Successfully published log to CloudWatch Logs"


def failed(line: dict) -> bool:
    """One failed delivery run (a WARN per run; the outage itself is the ERROR below)."""
    return line["level"] == "WARN" and line["message"].startswith("Failed to publish")


def outage_error(line: dict) -> bool:
    return line["level"] == "ERROR" and line["message"].startswith(
        "Heartbeats are not reaching CloudWatch Logs: ")


def recovered(line: dict) -> bool:
    return line["level"] == "INFO" and line["message"].startswith(
        "Delivery to CloudWatch Logs recovered after ")


# ------------------------------------------------------------------------------- one run
@dataclasses.dataclass
class Ctx:
    """What a scenario's hooks can use and what they record for the verdict."""

    moto: Any
    proxy: Any
    tmp_path: Path
    every_s: int
    daemon: Any = None
    fault_start: float = 0.0  # wall clock (s) when the fault began
    fault_end: float = 0.0  # ... and when it was cleared
    notes: dict[str, Any] = dataclasses.field(default_factory=dict)

    def begin(self) -> None:
        self.fault_start = time.time()

    def end(self) -> None:
        self.fault_end = time.time()

    def lines(self, predicate: Callable[[dict], bool]) -> list[dict]:
        return [line for line in self.daemon.lines() if predicate(line)]

    def wait_put_ok_after(self, t: float, timeout: float = 60) -> None:
        """Until a PutLogEvents sent after wall-clock `t` was answered 200 (delivery resumed)."""
        self.proxy.wait_for(
            lambda rs: any(
                r["operation"] == "PutLogEvents" and r["t"] >= t and r.get("status") == 200
                for r in rs
            ),
            timeout_s=timeout,
        )


@dataclasses.dataclass(frozen=True)
class Scenario:
    name: str
    fault: str  # what is injected (report column)
    inject: Callable[[Ctx], None]  # applies the fault and returns once it is cleared
    every_s: int = 2
    at_start: bool = False  # inject before the daemon starts (else after its first publish)
    ambiguous: bool = False  # the request reached moto before the failure: duplicates allowed
    env: Callable[[Ctx], dict[str, str | None]] | None = None
    check: Callable[[Ctx], None] | None = None  # row-specific criteria, after the common ones

    def __str__(self) -> str:
        return self.name


# ------------------------------------------------------------------------------- the faults
def status_rule(status: int, error_type: str, times: int, message: str = "Injected fault") -> dict:
    return {"match": "PutLogEvents", "action": "status", "status": status, "type": error_type,
            "message": message, "times": times}


def inject_rules(*rules: dict) -> Callable[[Ctx], None]:
    """Arms the rules, waits until all of them fired and a later PutLogEvents succeeded."""

    def inject(ctx: Ctx) -> None:
        count = sum(r.get("times", 1) for r in rules)
        ctx.begin()
        ctx.proxy.add_faults(list(rules))
        ctx.proxy.wait_for(lambda rs: fired(rs) >= count, timeout_s=90)
        ctx.end()
        ctx.wait_put_ok_after(ctx.fault_end)

    return inject


def outage_until_failed_runs(runs: int, then: Callable[[Ctx], None] | None = None):
    """Connection refused (proxy stopped) until the daemon logged `runs` failed deliveries."""

    def inject(ctx: Ctx) -> None:
        before = len(ctx.lines(failed))
        ctx.begin()
        ctx.proxy.stop()
        ctx.daemon.wait_for(failed, count=before + runs, timeout=60)
        if then:
            then(ctx)
        ctx.proxy.start()
        ctx.end()
        ctx.wait_put_ok_after(ctx.fault_end)

    return inject


def long_outage(ctx: Ctx) -> None:
    ctx.begin()
    ctx.proxy.stop()
    # The fault is the duration itself: nothing to wait for but the clock.
    time.sleep(OUTAGE_S)
    ctx.proxy.start()
    ctx.end()
    ctx.wait_put_ok_after(ctx.fault_end, timeout=90)


def unreachable_at_start(ctx: Ctx) -> None:
    ctx.begin()
    ctx.proxy.stop()


def recover_after_the_outage_error(ctx: Ctx) -> None:
    ctx.daemon.wait_for(could_not_reach_sts, timeout=60)
    ctx.daemon.wait_for(outage_error, timeout=60)
    ctx.proxy.start()
    ctx.end()
    ctx.daemon.wait_for(
        lambda l: l["message"] == "AWS credentials validated successfully", timeout=60)
    ctx.wait_put_ok_after(ctx.fault_end)


def could_not_reach_sts(line: dict) -> bool:
    return line["level"] == "WARN" and line["message"].startswith("Could not reach AWS STS")


# -- expired token: credential_process hands out the publisher's keys until the test "rotates"
# them; from then on it hands out a second user's keys, and the proxy answers every
# PutLogEvents signed with the old keys ExpiredTokenException (as AWS does once they expired).
def rotating_credentials_env(ctx: Ctx) -> dict[str, str | None]:
    old = ctx.moto.publisher
    new = ctx.moto.identities.get("rotated") or ctx.moto.create_identity(
        "rotated", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                    "sts:GetCallerIdentity"])
    register_secret(new.secret_access_key)
    ctx.notes.update(old_key=old.access_key_id, new_key=new.access_key_id)

    def doc(identity: Any) -> str:
        return json.dumps({"Version": 1, "AccessKeyId": identity.access_key_id,
                           "SecretAccessKey": identity.secret_access_key})

    marker, calls = ctx.tmp_path / "rotated", ctx.tmp_path / "helper-calls"
    ctx.notes.update(marker=marker, calls=calls)
    script = ctx.tmp_path / "creds-helper"
    script.write_text(
        "#!/bin/sh\n"
        f"echo call >> '{calls}'\n"
        f"if [ -e '{marker}' ]; then echo '{doc(new)}'; else echo '{doc(old)}'; fi\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    config = ctx.tmp_path / "config"
    config.write_text(f"[profile rotating]\ncredential_process = {script}\n")
    env: dict[str, str | None] = {k: None for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                                    "AWS_SESSION_TOKEN")}
    return {**env, "AWS_CONFIG_FILE": str(config), "AWS_PROFILE": "rotating"}


def expire_token(ctx: Ctx) -> None:
    ctx.begin()
    ctx.notes["marker"].touch()
    ctx.proxy.add_faults({"match": "PutLogEvents", "access_key": ctx.notes["old_key"],
                          "status": 400, "type": "ExpiredTokenException",
                          "message": "The security token included in the request is expired",
                          "times": None})
    ctx.proxy.wait_for(lambda rs: fired(rs) >= 1, timeout_s=30)
    ctx.end()
    ctx.wait_put_ok_after(ctx.fault_end)


def check_expired_token(ctx: Ctx) -> None:
    puts = ctx.proxy.requests("PutLogEvents")
    # Answered by the ExpiredToken rule (the first put of a new group is a ResourceNotFound 400).
    expired = [i for i, r in enumerate(puts) if r["fault"] is not None]
    assert len(expired) == 1, "one ExpiredTokenException, then the refreshed keys"
    after = puts[expired[0] + 1:]
    assert after and all(r["access_key"] == ctx.notes["new_key"] for r in after)
    assert after[0]["status"] == 200
    refreshed = "PutLogEvents: ExpiredTokenException; refreshed credentials, retrying"
    assert len(ctx.lines(lambda l: l["message"] == refreshed)) == 1
    assert not ctx.lines(failed), "the refresh and retry happen inside the same call"
    assert len(ctx.notes["calls"].read_text().splitlines()) >= 2  # credential_process ran again


# -- clock skew: the proxy plays an AWS endpoint whose clock is an hour ahead of this host from
# the start (STS's start-up check is corrected), then an hour behind (a PutLogEvents is).
def skewed_server_clock_env(ctx: Ctx) -> dict[str, str | None]:
    ctx.proxy.set_server_clock(3600)
    return {}


def skew_the_other_way(ctx: Ctx) -> None:
    ctx.begin()
    skews_before = len(skewed(ctx.proxy.requests()))
    ctx.proxy.set_server_clock(-3600)
    ctx.proxy.wait_for(lambda rs: len(skewed(rs)) > skews_before, timeout_s=30)
    ctx.end()
    ctx.wait_put_ok_after(ctx.fault_end)


def check_clock_skew(ctx: Ctx) -> None:
    skews = skewed(ctx.proxy.requests())
    assert [r["operation"] for r in skews] == ["GetCallerIdentity", "PutLogEvents"]
    warnings = [l["message"] for l in ctx.lines(lambda l: l["level"] == "WARN")]
    for operation in ("GetCallerIdentity", "PutLogEvents"):
        assert f"{operation}: the local clock differs from AWS; signing with corrected time" \
            in warnings
    assert not ctx.lines(failed), "a corrected clock is retried at once, within the call"
    # Every request but the two refused ones was signed within 5 minutes of the server's time.
    # Besides the skewed answers, only put first's ResourceNotFound for the new group's stream (the
    # put, then the stream's creation before the group's) is not a 200.
    others = [r for r in ctx.proxy.requests() if r["fault"] != "skew" and r["status"] != 200]
    assert [(r["operation"], r["status"]) for r in others] in (
        [], [("PutLogEvents", 400), ("CreateLogStream", 400)]), others


# -- partial rejection: a backlog builds up during a short outage; the first batch after it has
# its oldest event rejected as too old: CloudWatch stores the others and says so in
# rejectedLogEventsInfo. The rejected heartbeat is ERROR, never "published", never stored.
def outage_then_reject_oldest(ctx: Ctx) -> None:
    p = ctx.moto.publisher

    def arm(ctx: Ctx) -> None:
        ctx.proxy.add_faults({"match": "PutLogEvents", "action": "reject_events", "too_old_end": 0,
                              "resign": {"access_key_id": p.access_key_id,
                                         "secret_access_key": p.secret_access_key}})

    outage_until_failed_runs(2, then=arm)(ctx)


def rejected_ids(ctx: Ctx) -> set[str]:
    return {json.loads(m)["id"] for r in ctx.proxy.requests("PutLogEvents")
            for m in r.get("rejected_messages", [])}


def check_partial_rejection(ctx: Ctx) -> None:
    (batch,) = [r for r in ctx.proxy.requests("PutLogEvents") if "rejected_messages" in r]
    sent = len(json.loads(batch["body"])["logEvents"])
    assert sent >= 2, "the batch after the outage carries the backlog"
    (line,) = ctx.lines(lambda l: l["level"] == "ERROR" and "rejected" in l["message"])
    assert line["message"] == (f"CloudWatch Logs rejected 1 of {sent} events "
                               "(too old: 1, too new: 0); check the host clock")
    rejected_seqs = {int(i.rsplit("-", 1)[1]) for i in rejected_ids(ctx)}
    reported = {l["sequence"] for l in ctx.lines(published)}
    assert not rejected_seqs & reported, "a rejected heartbeat is never reported as delivered"
    # The backlog went out in the batch with the rejection: no line counts it as delivered.
    assert not ctx.lines(lambda l: "kept while CloudWatch Logs was unreachable" in l["message"])
    # ... and never sent again.
    sent_ids = [json.loads(e["message"])["id"] for r in ctx.proxy.requests("PutLogEvents")
                for e in json.loads(r["body"])["logEvents"]]
    assert all(sent_ids.count(i) == 1 for i in rejected_ids(ctx))


def check_retried_within_the_call(error_type: str, attempts_failed: int):
    def check(ctx: Ctx) -> None:
        warns = [l["message"] for l in ctx.lines(lambda l: l["level"] == "WARN")]
        for n in range(1, attempts_failed + 1):
            assert any(w.startswith(f"PutLogEvents attempt {n}/3 failed ({error_type})")
                       for w in warns), (n, warns)
        assert not ctx.lines(failed), "the call's own retries delivered it"

    return check


def check_outage_reported(ctx: Ctx) -> None:
    """An ERROR at the first failed run (with the count waiting and since when), at most one
    per 5 minutes, and one INFO when delivery recovered."""
    errors = ctx.lines(lambda l: l["level"] == "ERROR")
    assert errors and all(outage_error(l) for l in errors), errors
    assert len(errors) == 1, "rate-limited: one per 5 minutes"
    assert errors[0]["undelivered"] >= 1 and errors[0]["since"].endswith("Z"), errors[0]
    (back,) = ctx.lines(recovered)
    assert back["since"] == errors[0]["since"] and back["delivered"] >= 1, back


def check_kept_and_retried(min_failed_runs: int):
    def check(ctx: Ctx) -> None:
        assert len(ctx.lines(failed)) >= min_failed_runs
        assert all(l["undelivered"] >= 1 for l in ctx.lines(failed))
        check_outage_reported(ctx)

    return check


def check_long_outage(ctx: Ctx) -> None:
    during = ctx.notes["during_fault"]
    assert len(during) >= OUTAGE_S // ctx.every_s - 1, len(during)
    # all of them arrived after recovery
    assert all(e["ingestionTime"] >= ctx.fault_end * 1000 - 1000 for e in during)
    assert ctx.lines(lambda l: "kept while CloudWatch Logs was unreachable" in l["message"])
    check_outage_reported(ctx)
    (back,) = ctx.lines(recovered)
    assert back["outage_s"] >= OUTAGE_S - 2 * ctx.every_s, back


def check_timeout(ctx: Ctx) -> None:
    (hung,) = [r for r in ctx.proxy.requests("PutLogEvents") if r["fault"] == "hang"]
    assert not hung["forwarded"]
    assert hung["elapsed_ms"] >= REQUEST_TIMEOUT_S * 1000 - 500  # the client gave up, not us
    check_retried_within_the_call("timeout", 1)(ctx)


def check_start_unreachable(ctx: Ctx) -> None:
    assert len(ctx.lines(could_not_reach_sts)) == 1, "one WARN for STS, asked again quietly"
    check_outage_reported(ctx)


SCENARIOS = [
    Scenario("http-500", "2 x PutLogEvents 500 InternalFailure",
             inject_rules(status_rule(500, "InternalFailure", 2)),
             check=check_retried_within_the_call("InternalFailure", 2)),
    Scenario("http-503", "3 x PutLogEvents 503 ServiceUnavailableException (a whole call)",
             inject_rules(status_rule(503, "ServiceUnavailableException", 3)),
             check=check_kept_and_retried(1)),
    Scenario("throttling", "5 x PutLogEvents 400 ThrottlingException",
             inject_rules(status_rule(400, "ThrottlingException", 5, "Rate exceeded")),
             check=check_kept_and_retried(1)),
    Scenario("connection-refused", "proxy stopped for 2 failed delivery runs",
             outage_until_failed_runs(2), check=check_kept_and_retried(2)),
    # A reset before any answer byte on a reused keep-alive connection is retried at once on a
    # fresh connection by the transport (the server closed an idle connection), so 4 resets
    # are what it takes to fail the 3 attempts of one call.
    Scenario("reset-before-moto", "4 x TCP RST on PutLogEvents, not forwarded",
             inject_rules({"match": "PutLogEvents", "action": "reset", "times": 4}),
             check=check_kept_and_retried(1)),
    Scenario("reset-mid-response", "PutLogEvents forwarded, half the answer, then TCP RST",
             inject_rules({"match": "PutLogEvents", "action": "truncate", "reset": True,
                           "after_forward": True}),
             ambiguous=True),
    Scenario("no-answer-timeout",
             f"PutLogEvents never answered (client timeout {REQUEST_TIMEOUT_S} s)",
             inject_rules({"match": "PutLogEvents", "action": "hang", "ms": 25000}),
             check=check_timeout),
    Scenario("slower-than-timeout", "PutLogEvents forwarded after 17 s (> 15 s client timeout)",
             inject_rules({"match": "PutLogEvents", "action": "delay", "ms": 17000}),
             ambiguous=True),
    Scenario("outage-3-minutes", f"proxy stopped {OUTAGE_S} s", long_outage, every_s=10,
             check=check_long_outage),
    Scenario("start-unreachable", "proxy stopped before start, until the outage ERROR",
             unreachable_at_start, at_start=True, check=check_start_unreachable),
    Scenario("expired-token", "PutLogEvents signed with the old keys: 400 ExpiredTokenException",
             expire_token, env=rotating_credentials_env, check=check_expired_token),
    Scenario("clock-skew", "server clock +1 h from start, then -1 h: Signature expired",
             skew_the_other_way, env=skewed_server_clock_env, check=check_clock_skew),
    Scenario("partial-rejection", "outage, then oldest event of the batch rejected (too old)",
             outage_then_reject_oldest, check=check_partial_rejection),
]

AFTER_START = {"start-unreachable": recover_after_the_outage_error}


# ------------------------------------------------------------------------------- the report
_ROWS: list[dict[str, Any]] = []


@pytest.fixture(scope="module")
def report(binary: Path):
    yield _ROWS
    if not _ROWS:
        return
    header = ("scenario", "fault", "schedule", "expected", "delivered", "duplicated", "rejected",
              "during fault", "runtime s")
    rows = [header] + [tuple(str(r[k]) for k in header) for r in _ROWS]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    text = "\n".join(
        "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths)) + " |"
        + ("\n|" + "|".join("-" * (w + 2) for w in widths) + "|" if n == 0 else "")
        for n, row in enumerate(rows)
    ) + "\n"
    path = binary.parent / "fault-matrix.txt"
    path.write_text(text)
    SUMMARY_SECTIONS.append((f"fault matrix ({path})", text))


# ------------------------------------------------------------------------------- the test
def read_back(aws_cli) -> list[dict]:
    doc = aws_cli("reader", "logs", "filter-log-events", "--log-group-name", GROUP)
    return doc["events"]


def wait_delivered_after(ctx: Ctx, t: float) -> None:
    """Until PutLogEvents stored a heartbeat scheduled at or after wall-clock `t` and the daemon
    reported it (or a later one) published."""

    def sequences(requests: list[dict]) -> list[int]:
        return [json.loads(e["message"])["sequence"]
                for r in requests if r["operation"] == "PutLogEvents" and r["status"] == 200
                for e in json.loads(r["body"])["logEvents"] if e["timestamp"] >= t * 1000]

    timeout = max(30, 3 * ctx.every_s) + max(0.0, t - time.time())
    target = min(sequences(ctx.proxy.wait_for(lambda rs: bool(sequences(rs)), timeout_s=timeout)))
    ctx.daemon.wait_for(lambda l: published(l) and l["sequence"] >= target, timeout=30)


def grid_problems(beats: list[tuple[int, dict]], every_s: int) -> list[str]:
    """Heartbeat 1 is the start-up heartbeat; from 2 on each is due on the next multiple of the
    interval, one interval after the previous."""
    by_seq = {b["sequence"]: ts for ts, b in beats}
    period = every_s * 1000
    problems = []
    if 2 in by_seq:
        first = by_seq[2]
        if first % period:
            problems.append(f"heartbeat 2 at {first} is not on a multiple of {every_s} s")
        if 1 in by_seq and not by_seq[1] < first <= by_seq[1] + period:
            problems.append(f"heartbeat 2 at {first} is not the first tick after the start-up one")
        for seq, ts in by_seq.items():
            if seq >= 2 and ts != first + (seq - 2) * period:
                problems.append(f"heartbeat {seq} at {ts}, scheduled {first + (seq - 2) * period}")
    return problems


@pytest.mark.parametrize("scenario", SCENARIOS, ids=str)
def test_fault_scenario(scenario: Scenario, moto, fault_proxy, start_daemon, aws_cli, tmp_path,
                        report) -> None:
    started = time.monotonic()
    ctx = Ctx(moto, fault_proxy, tmp_path, scenario.every_s)
    env = {**moto.env("publisher", endpoint=fault_proxy.url),
           "CWP_SCHEDULE": f"@every {scenario.every_s}s",
           **(scenario.env(ctx) if scenario.env else {})}
    if scenario.at_start:
        scenario.inject(ctx)
    ctx.daemon = start_daemon(env)
    if scenario.at_start:
        AFTER_START[scenario.name](ctx)
    else:
        ctx.daemon.wait_for(published, timeout=30)
        scenario.inject(ctx)

    # Delivery resumed: a heartbeat scheduled after the fault cleared was stored and reported
    # (the backlog goes out first, in order, so it is all out by then).
    wait_delivered_after(ctx, ctx.fault_end + scenario.every_s)
    last = max(l["sequence"] for l in ctx.lines(published))
    rc, _ = ctx.daemon.stop(signal.SIGTERM)
    assert rc == 0, ctx.daemon.text()
    # every request the proxy holds is finished (a delayed one reaches moto late)
    fault_proxy.wait_for(lambda rs: all("elapsed_ms" in r for r in rs), timeout_s=30)

    rejected = rejected_ids(ctx)
    events = read_back(aws_cli)
    beats = [(e["timestamp"], json.loads(e["message"])) for e in events]
    (boot,) = {b["id"].rsplit("-", 1)[0] for _, b in beats}  # one process, one boot id
    expected = {f"{boot}-{seq}" for seq in range(1, last + 1)} - rejected
    ids = [b["id"] for _, b in beats]
    delivered = expected & set(ids)
    duplicated = len(ids) - len(set(ids))
    ctx.notes["during_fault"] = [
        e for e in events if ctx.fault_start * 1000 <= e["timestamp"] <= ctx.fault_end * 1000
    ]

    # What reached moto, in the order it got there (the proxy's log of forwarded batches).
    reached = [json.loads(e["message"])["id"]
               for r in fault_proxy.requests("PutLogEvents")
               if r["forwarded"] and 200 in (r.get("upstream_status"), r["status"])
               for e in json.loads(r["body"])["logEvents"]]
    reached = [i for i in reached if i not in rejected]
    first_seen = list(dict.fromkeys(reached))
    report.append({
        "scenario": scenario.name, "fault": scenario.fault,
        "schedule": f"@every {scenario.every_s}s", "expected": len(expected),
        "delivered": len(delivered), "duplicated": duplicated, "rejected": len(rejected),
        "during fault": len(ctx.notes["during_fault"]),
        "runtime s": f"{time.monotonic() - started:.0f}",
    })

    assert sorted(expected - delivered) == [], "every expected heartbeat is in CloudWatch"
    assert not rejected & set(ids), "rejected heartbeats are not stored"
    assert grid_problems(beats, scenario.every_s) == []
    assert all(ts == time_ms(b["timestamp"]) for ts, b in beats if b["sequence"] > 1)
    seqs = [int(i.rsplit("-", 1)[1]) for i in first_seen]
    assert seqs == sorted(seqs), f"delivered out of order: {seqs}"
    if scenario.ambiguous:
        assert duplicated >= 1, "the lost answer made the client send the batch again"
        for i in set(ids):
            copies = [(ts, json.dumps(b, sort_keys=True)) for ts, b in beats if b["id"] == i]
            assert len(set(copies)) == 1, f"duplicates of {i} differ: {copies}"
    else:
        assert duplicated == 0, f"duplicated ids: {sorted({i for i in ids if ids.count(i) > 1})}"
    assert duplicated == len(reached) - len(first_seen), "CloudWatch holds what reached moto"
    if scenario.check:
        scenario.check(ctx)


def time_ms(iso: str) -> int:
    import datetime as dt

    return int(dt.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
               .replace(tzinfo=dt.timezone.utc).timestamp() * 1000)
