"""`cloudwatch-publisher run`: the daemon against moto, read back with the AWS CLI."""

from __future__ import annotations

import datetime as dt
import json
import signal

GROUP = "/monorepo-fem/heartbeat"


def published(line: dict) -> bool:
    return line["message"] == "Successfully published log to CloudWatch Logs"


def heartbeat_messages(events: list[dict]) -> list[dict]:
    return [json.loads(e["message"]) for e in events]


def assert_contiguous_without_duplicates(beats: list[dict]) -> None:
    sequences = [b["sequence"] for b in beats]
    assert sequences == list(range(1, len(sequences) + 1)), sequences
    assert len({b["id"] for b in beats}) == len(beats)


def test_heartbeats_land_on_schedule_and_sigterm_exits_zero_within_two_seconds(
    moto, start_daemon, get_events, today
):
    daemon = start_daemon({**moto.env("publisher"), "CWP_SCHEDULE": "@every 1s"})
    daemon.wait_for(published, count=4, timeout=30)
    rc, stop_s = daemon.stop(signal.SIGTERM)
    print(f"exit {rc} {stop_s * 1000:.0f} ms after SIGTERM")
    assert rc == 0, daemon.text()
    assert stop_s < 2.0
    lines = daemon.lines()
    assert [l["message"] for l in lines[:3]] == [
        "Starting CloudWatch Publisher container...",
        "Environment validation successful (AWS_REGION=ap-southeast-2)",
        "AWS credentials validated successfully",
    ]
    assert all(l["service"] == "cloudwatch-publisher-entrypoint" for l in lines[:3])
    assert lines[-1]["message"] == "Received SIGTERM, shutting down"

    delivered = len([l for l in lines if published(l)])
    events = get_events(GROUP, f"heartbeat-{today}", expected=delivered)
    beats = heartbeat_messages(events)
    assert_contiguous_without_duplicates(beats)
    # After the start-up heartbeat, each event is stamped with its scheduled (whole) second.
    assert all(e["timestamp"] % 1000 == 0 for e in events[1:])
    assert [e["timestamp"] for e in events] == sorted(e["timestamp"] for e in events)


def test_sigint_also_stops_gracefully(moto, start_daemon):
    daemon = start_daemon({**moto.env("publisher"), "CWP_SCHEDULE": "@every 1s"})
    daemon.wait_for(published)
    rc, stop_s = daemon.stop(signal.SIGINT)
    assert rc == 0 and stop_s < 2.0


def test_wrong_secret_exits_at_once_with_code_3(moto, start_daemon):
    env = {**moto.env("publisher"), "AWS_SECRET_ACCESS_KEY": "definitely-not-the-secret-key"}
    daemon = start_daemon(env)
    assert daemon.wait_exit(timeout=20) == 3
    errors = [l for l in daemon.lines() if l["level"] == "ERROR"]
    assert errors and "credentials" in errors[0]["message"]


def test_missing_secret_exits_at_once_with_code_2_naming_it(moto, start_daemon):
    daemon = start_daemon({**moto.env("publisher"), "AWS_SECRET_ACCESS_KEY": ""})
    assert daemon.wait_exit(timeout=10) == 2
    assert any("AWS_SECRET_ACCESS_KEY" in l["message"] for l in daemon.lines() if l["level"] == "ERROR")


def test_starts_while_aws_is_unreachable_and_delivers_every_heartbeat_once_it_answers(
    moto, fault_proxy, start_daemon, get_events, today
):
    fault_proxy.stop()
    daemon = start_daemon({**moto.env("publisher", endpoint=fault_proxy.url), "CWP_SCHEDULE": "@every 1s"})
    daemon.wait_for(lambda l: l["level"] == "WARN" and "Could not reach AWS STS" in l["message"])
    daemon.wait_for(lambda l: "kept" in l["message"] or l["level"] == "ERROR", timeout=20)
    fault_proxy.start()
    daemon.wait_for(lambda l: l["message"] == "AWS credentials validated successfully", timeout=60)
    daemon.wait_for(published, count=2, timeout=60)
    rc, _ = daemon.stop()
    assert rc == 0
    last_sequence = max(l["sequence"] for l in daemon.lines() if published(l))
    beats = heartbeat_messages(get_events(GROUP, f"heartbeat-{today}", expected=last_sequence))
    assert_contiguous_without_duplicates(beats[:last_sequence])


def test_an_outage_mid_run_loses_no_heartbeat(moto, fault_proxy, start_daemon, get_events, today):
    daemon = start_daemon({**moto.env("publisher", endpoint=fault_proxy.url), "CWP_SCHEDULE": "@every 1s"})
    daemon.wait_for(published, count=2)
    fault_proxy.stop()
    daemon.wait_for(lambda l: l["level"] == "WARN" and "Failed to publish" in l["message"], count=3)
    (outage,) = [l for l in daemon.lines() if l["level"] == "ERROR"]
    assert outage["message"].startswith("Heartbeats are not reaching CloudWatch Logs: "), outage
    fault_proxy.start()
    daemon.wait_for(lambda l: "kept while CloudWatch Logs was unreachable" in l["message"], timeout=90)
    (recovered,) = daemon.wait_for(
        lambda l: l["message"].startswith("Delivery to CloudWatch Logs recovered after "))
    assert recovered["level"] == "INFO" and recovered["delivered"] >= 2, recovered
    assert recovered["since"] == outage["since"]
    daemon.wait_for(published, count=6, timeout=30)
    rc, _ = daemon.stop()
    assert rc == 0
    last_sequence = max(l["sequence"] for l in daemon.lines() if published(l))
    beats = heartbeat_messages(get_events(GROUP, f"heartbeat-{today}", expected=last_sequence))
    assert_contiguous_without_duplicates(beats[:last_sequence])


def test_heartbeats_land_within_one_tick_while_sts_is_unreachable(
    moto, start_daemon, get_events, today, closed_endpoint
):
    """A private subnet with a CloudWatch Logs endpoint and no STS endpoint: STS is one WARN and
    a diagnostic asked again later; it holds no heartbeat back."""
    tick_s = 10
    env = {**moto.env("publisher"), "AWS_ENDPOINT_URL_STS": closed_endpoint,
           "CWP_SCHEDULE": f"@every {tick_s}s"}
    daemon = start_daemon(env)
    (warning,) = daemon.wait_for(lambda l: l["message"].startswith("Could not reach AWS STS"))
    assert warning["level"] == "WARN", warning
    # The start-up heartbeat, then the first scheduled one: each within one tick.
    first, second = daemon.wait_for(published, count=2, timeout=2 * tick_s + 10)
    start = next(l for l in daemon.lines() if l["message"].startswith("Starting CloudWatch"))
    assert seconds_between(start, first) <= tick_s, daemon.text()
    assert seconds_between(first, second) <= tick_s + 1, daemon.text()
    rc, _ = daemon.stop()
    assert rc == 0, daemon.text()
    lines = daemon.lines()
    assert len([l for l in lines if l["message"].startswith("Could not reach AWS STS")]) == 1
    assert not [l for l in lines if l["level"] == "ERROR"], daemon.text()
    delivered = len([l for l in lines if published(l)])
    beats = heartbeat_messages(get_events(GROUP, f"heartbeat-{today}", expected=delivered))
    assert_contiguous_without_duplicates(beats)


def seconds_between(a: dict, b: dict) -> float:
    def parse(line: dict) -> dt.datetime:
        return dt.datetime.strptime(line["timestamp"], "%Y-%m-%dT%H:%M:%SZ")

    return (parse(b) - parse(a)).total_seconds()
