"""`cloudwatch-publisher send` against moto (auth on), read back with the AWS CLI as `reader`.

Spec (docs/publishing.md "Sending log lines"): the arguments joined with spaces are one event;
without arguments every line of stdin is one event, stamped when read. Batches respect the
PutLogEvents limits; a line of up to 1,048,550 bytes (CWP_MAX_EVENT_BYTES, 1 MiB by default, less
26 bytes of per-event overhead) is one event, a longer one is split at UTF-8 character boundaries
(never truncated); empty lines are skipped and counted. Lines are streamed: a half-full batch goes out
after 0.5 s of quiet input. At the end one summary line goes to stderr (lines, events, batches,
bytes, retries, time, rate, delivered / not delivered). Exit 0 when every event was delivered, 1
when some were not, 2 for usage errors.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import json_log
import pytest
import readme_examples
from process_memory import wait_measuring_peak
from conftest import _RECORDED, BinaryResult, binary_env

SUMMARY_RE = re.compile(
    r"^send: (?P<lines>\d+) lines, (?P<events>\d+) events, (?P<batches>\d+) batches, "
    r"(?P<bytes>\d+) bytes, (?P<retries>\d+) retries in (?P<seconds>[\d.]+) s "
    r"\((?P<rate>\d+) lines/s\); (?P<delivered>\d+) delivered"
    r"(?: \(incl\. (?P<restored>\d+) kept by an earlier send\))?"
    r"(?:, (?P<kept>\d+) not delivered \(kept in the spool\))?"
    r"(?:, (?P<not_delivered>\d+) not delivered \(lost\))?"
    r"(?:; (?P<empty>\d+) empty lines skipped)?"
    r"(?:; (?P<split>\d+) long lines split \(events of at most (?P<max_event>\d+) bytes, "
    r"CWP_MAX_EVENT_BYTES\))?$"
)
DEFAULT_GROUP = "/monorepo-fem/heartbeat"
SPLIT_LIMIT = 1_048_550  # CWP_MAX_EVENT_BYTES' default, 1 MiB, less 26 bytes of overhead
OLD_LIMIT = 262_118  # CWP_MAX_EVENT_BYTES=256KiB (the limit before 2025) less 26 bytes


def summary(result: BinaryResult) -> dict[str, int]:
    """The summary line (the last line of stderr) as numbers; every other stderr line must be a
    JSON ERROR line."""
    lines = result.stderr.splitlines()
    assert lines, result.describe()
    json_log.parse_lines("\n".join(lines[:-1]), "stderr")
    match = SUMMARY_RE.match(lines[-1])
    assert match, f"no summary line at the end of stderr\n{result.describe()}"
    return {k: int(float(v)) for k, v in match.groupdict().items() if v is not None}


def all_events(aws_cli, group: str, stream: str) -> list[dict[str, Any]]:
    """Every event of a stream, following nextForwardToken page by page with the AWS CLI."""
    events: list[dict[str, Any]] = []
    token = None
    while True:
        args = ["logs", "get-log-events", "--log-group-name", group, "--log-stream-name", stream,
                "--start-from-head"]
        if token:
            args += ["--next-token", token]
        page = aws_cli("reader", *args)
        events += page["events"]
        if not page["events"] or page.get("nextForwardToken") in (None, token):
            return events
        token = page["nextForwardToken"]


def test_the_readme_example_runs_and_its_lines_arrive_in_order(
    moto, binary, clean_home, tmp_path, get_events
):
    section = readme_examples.section("Sending log lines")
    script = section.split("```sh\n")[1].split("```")[0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cloudwatch-publisher").symlink_to(binary)
    env = binary_env(clean_home, moto.env("publisher"))
    env["PATH"] = f"{bin_dir}:{env['PATH']}"
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=env,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    _RECORDED.append(("readme send example", ["bash", "-c", script], proc.stdout, proc.stderr))
    assert proc.returncode == 0, f"{script}\n{proc.stdout}\n{proc.stderr}"
    assert proc.stdout == "", "send is quiet on stdout by default"
    events = get_events("/my/app", "deploys", expected=3)
    assert [e["message"] for e in events] == ["deployed version 1.2.3", "first line", "second line"]


def test_an_argument_is_one_event_on_the_send_stream(moto, run_binary, get_events, today):
    before = int(time.time() * 1000)
    result = run_binary(["send", "hello", "from send"], env=moto.env("publisher"))
    after = int(time.time() * 1000)
    assert result.rc == 0, result.describe()
    figures = summary(result)
    assert figures["lines"] == 1 and figures["events"] == 1 and figures["batches"] == 1
    assert figures["bytes"] == len("hello from send") and figures["delivered"] == 1
    (event,) = get_events(DEFAULT_GROUP, f"send-{today}")
    assert event["message"] == "hello from send"
    assert before - 1000 <= event["timestamp"] <= after + 1000


def test_stdin_lines_become_events_and_empty_lines_are_skipped(moto, run_binary, get_events):
    text = "first\r\n\nsecond has spaces  \n\u00e9t\u00e9 \u2603\nno newline at the end"
    result = run_binary(["send", "--stream", "stdin-test"], env=moto.env("publisher"),
                        input=text.encode())
    assert result.rc == 0, result.describe()
    figures = summary(result)
    assert figures == {**figures, "lines": 5, "events": 4, "empty": 1, "delivered": 4}
    events = get_events(DEFAULT_GROUP, "stdin-test", expected=4)
    assert [e["message"] for e in events] == [
        "first", "second has spaces  ", "\u00e9t\u00e9 \u2603", "no newline at the end"]
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)


def test_100000_lines_arrive_complete_and_in_order(moto, run_binary, aws_cli):
    count = 100_000
    lines = [f"{i:06d} line {i} of {count} " + "x" * (i % 40) for i in range(count)]
    payload = ("\n".join(lines) + "\n").encode()
    # One call at a time: lines read in the same millisecond keep their order only then.
    result = run_binary(["send", "--log-group", "/bulk", "--stream", "bulk"],
                        env={**moto.env("publisher"), "CWP_SEND_CONCURRENCY": "1"},
                        input=payload, timeout=300)
    assert result.rc == 0, result.describe()
    figures = summary(result)
    print(f"send of {count} lines: {result.elapsed_s:.1f} s wall; summary: "
          f"{result.stderr.splitlines()[-1]}")
    assert figures["lines"] == count and figures["events"] == count
    assert figures["delivered"] == count and "not_delivered" not in figures
    assert figures["bytes"] == sum(len(line) for line in lines)
    # 10,000 events per PutLogEvents call; a pause of the writer longer than the idle gap
    # (a loaded machine) may flush a part batch earlier, never a larger one.
    assert figures["batches"] >= 10

    started = time.monotonic()
    events = all_events(aws_cli, "/bulk", "bulk")
    print(f"read back {len(events)} events with the AWS CLI in {time.monotonic() - started:.1f} s")
    assert len(events) == count
    messages = [e["message"] for e in events]
    assert messages == lines, "every line, once, in order"


def test_with_several_calls_in_flight_every_line_arrives_once_in_timestamp_order(
    moto, run_binary, aws_cli
):
    """CWP_SEND_CONCURRENCY=4: batches on their way at once may be stored in any order; every
    line is stored exactly once, read back ordered by timestamp, and a later millisecond never
    holds an earlier line."""
    count = 60_000
    lines = [f"{i:06d} concurrent line " + "y" * (i % 50) for i in range(count)]
    payload = ("\n".join(lines) + "\n").encode()
    result = run_binary(["send", "--log-group", "/bulk", "--stream", "concurrent"],
                        env={**moto.env("publisher"), "CWP_SEND_CONCURRENCY": "4"},
                        input=payload, timeout=300)
    assert result.rc == 0, result.describe()
    figures = summary(result)
    assert figures["lines"] == count and figures["delivered"] == count
    assert figures["batches"] >= 6
    events = all_events(aws_cli, "/bulk", "concurrent")
    messages = [e["message"] for e in events]
    assert len(messages) == count and sorted(messages) == lines, "every line exactly once"
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)
    by_ms: dict[int, list[int]] = {}
    for e in events:
        by_ms.setdefault(e["timestamp"], []).append(int(e["message"][:6]))
    ordered = sorted(by_ms)
    for earlier, later in zip(ordered, ordered[1:]):
        assert max(by_ms[earlier]) < min(by_ms[later]), "read order across milliseconds"


def test_a_900_kib_line_is_stored_as_one_event(moto, run_binary, aws_cli):
    line = "".join(f"{i:09d} " for i in range(92_160))  # 921,600 bytes: 900 KiB
    result = run_binary(["send", "--stream", "large"], env=moto.env("publisher"),
                        input=(line + "\n").encode())
    assert result.rc == 0, result.describe()
    figures = summary(result)
    assert figures["lines"] == 1 and figures["events"] == 1 and "split" not in figures
    [event] = all_events(aws_cli, DEFAULT_GROUP, "large")
    assert event["message"] == line


def test_a_line_longer_than_the_setting_is_split_into_events_of_that_size(
    moto, run_binary, aws_cli
):
    over = "".join(f"{i:08d}" for i in range(131_072)) + "tail"  # 1,048,580 bytes: 30 too many
    result = run_binary(["send", "--stream", "over"], env=moto.env("publisher"),
                        input=(over + "\n").encode())
    assert result.rc == 0, result.describe()
    figures = summary(result)
    assert figures["split"] == 1 and figures["events"] == 2 and figures["max_event"] == 1_048_576
    messages = [e["message"] for e in all_events(aws_cli, DEFAULT_GROUP, "over")]
    assert [len(m.encode()) for m in messages] == [SPLIT_LIMIT, 30]
    assert "".join(messages) == over


def test_a_line_longer_than_an_event_is_split_not_truncated(moto, run_binary, get_events):
    # On the old 256 KB limit (CWP_MAX_EVENT_BYTES=256KiB): events of at most 262,118 bytes.
    long_ascii = "".join(f"{i:08d}" for i in range(75_000))  # 600,000 bytes
    long_utf8 = "\u20ac" * 100_000  # 300,000 bytes, 3 per character
    text = f"before\n{long_ascii}\n{long_utf8}\nafter\n"
    result = run_binary(["send", "--stream", "long"],
                        env={**moto.env("publisher"), "CWP_MAX_EVENT_BYTES": "256KiB"},
                        input=text.encode())
    assert result.rc == 0, result.describe()
    figures = summary(result)
    assert figures["lines"] == 4 and figures["split"] == 2 and figures["max_event"] == 262_144
    assert figures["events"] == 2 + 3 + 2
    events = get_events(DEFAULT_GROUP, "long", expected=7)
    messages = [e["message"] for e in events]
    assert messages[0] == "before" and messages[-1] == "after"
    assert "".join(messages[1:4]) == long_ascii
    assert [len(m.encode()) for m in messages[1:4]] == [OLD_LIMIT, OLD_LIMIT, 600_000 - 2 * OLD_LIMIT]
    assert "".join(messages[4:6]) == long_utf8
    assert all(len(m.encode()) <= OLD_LIMIT for m in messages[4:6])
    assert len(messages[4].encode()) == OLD_LIMIT - OLD_LIMIT % 3  # cut between characters


def test_an_event_size_the_service_does_not_accept_is_a_usage_error(moto, run_binary):
    result = run_binary(["send", "x"], env={**moto.env("publisher"), "CWP_MAX_EVENT_BYTES": "2MiB"})
    assert result.rc == 2, result.describe()
    [line] = result.err_lines
    assert line["message"].startswith("CWP_MAX_EVENT_BYTES: '2MiB' is not an event size between")


def test_empty_input_sends_nothing_and_succeeds(moto, run_binary):
    result = run_binary(["send", "--log-group", "/empty-input"], env=moto.env("publisher"),
                        input=b"")
    assert result.rc == 0, result.describe()
    assert summary(result) == {**summary(result), "lines": 0, "events": 0, "batches": 0}
    assert moto.log_groups() == [], "nothing to send: no group created"


def test_an_empty_message_argument_is_a_usage_error(moto, run_binary):
    result = run_binary(["send", ""], env=moto.env("publisher"))
    assert result.rc == 2, result.describe()
    (line,) = result.err_lines
    assert line["message"].startswith("send: the message is empty")


def test_unreachable_endpoint_is_exit_1_and_the_summary_says_what_was_lost(
    moto, run_binary, closed_endpoint
):
    env = {**moto.env("publisher", endpoint=closed_endpoint), "AWS_MAX_ATTEMPTS": "1"}
    result = run_binary(["send"], env=env, input=b"one\ntwo\nthree\n")
    assert result.rc == 1, result.describe()
    figures = summary(result)
    assert figures["events"] == 3 and figures["delivered"] == 0
    assert figures["not_delivered"] == 3
    errors = json_log.parse_lines("\n".join(result.stderr.splitlines()[:-1]), "stderr")
    assert any(e["message"].startswith("Failed to deliver 3 of 3 events to CloudWatch Logs")
               for e in errors), result.describe()


def test_with_a_spool_what_send_could_not_deliver_goes_out_with_the_next_send(
    moto, run_binary, closed_endpoint, aws_cli, tmp_path
):
    spool = tmp_path / "spool"
    down = {
        **moto.env("publisher", endpoint=closed_endpoint),
        "AWS_MAX_ATTEMPTS": "1",
        "CWP_SPOOL_DIR": str(spool),
    }
    first = run_binary(["send", "--stream", "kept"], env=down, input=b"one\ntwo\nthree\n")
    assert first.rc == 1, first.describe()
    figures = summary(first)
    assert figures["kept"] == 3 and "not_delivered" not in figures, first.describe()
    assert "they are kept in the spool for the next send" in first.stderr
    assert any(p.suffix == ".seg" for p in (spool / "send").iterdir())

    up = {**moto.env("publisher"), "CWP_SPOOL_DIR": str(spool)}
    second = run_binary(["send", "--stream", "kept", "four"], env=up)
    assert second.rc == 0, second.describe()
    figures = summary(second)
    assert figures["restored"] == 3 and figures["delivered"] == 4, second.describe()
    events = all_events(aws_cli, DEFAULT_GROUP, "kept")
    assert [e["message"] for e in events] == ["one", "two", "three", "four"]
    # The kept lines carry the time they were read, not the time they were delivered.
    assert events[2]["timestamp"] <= events[3]["timestamp"]


def test_retries_are_counted_in_the_summary(moto, fault_proxy, run_binary, get_events):
    fault_proxy.add_faults({"match": "PutLogEvents", "action": "status", "status": 503,
                     "raw": "<html>503</html>", "times": 2})
    result = run_binary(["send", "--stream", "retried", "after two 503s"],
                        env=moto.env("publisher", endpoint=fault_proxy.url))
    assert result.rc == 0, result.describe()
    figures = summary(result)
    assert figures["retries"] == 2 and figures["delivered"] == 1
    (event,) = get_events(DEFAULT_GROUP, "retried")
    assert event["message"] == "after two 503s"


def test_a_slow_pipes_lines_arrive_while_it_is_still_open(
    moto, binary, clean_home, get_events, request
):
    proc = subprocess.Popen([str(binary), "send", "--stream", "slow-pipe"],
                            env=binary_env(clean_home, moto.env("publisher")),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdin is not None
        proc.stdin.write(b"written, then the pipe goes quiet\n")
        proc.stdin.flush()
        started = time.monotonic()
        (event,) = get_events(DEFAULT_GROUP, "slow-pipe", expected=1, timeout=10)
        print(f"line arrived {time.monotonic() - started:.2f} s after it was written")
        assert event["message"] == "written, then the pipe goes quiet"
        assert proc.poll() is None, "send is still reading the open pipe"
        out, err = proc.communicate(timeout=30)  # closes stdin: end of input
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    _RECORDED.append((request.node.nodeid, proc.args, out.decode(), err.decode()))
    assert proc.returncode == 0, err.decode()
    assert "1 delivered" in err.decode().splitlines()[-1]


def test_a_terminal_gets_a_progress_line_redrawn_in_place(
    moto, binary, clean_home, get_events, request
):
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen([str(binary), "send", "--stream", "progress"],
                            env=binary_env(clean_home, moto.env("publisher")),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    try:
        assert proc.stdin is not None
        deadline = time.monotonic() + 1.8  # longer than the 1 s before the first progress line
        sent = 0
        while time.monotonic() < deadline:
            proc.stdin.write(f"progress {sent}\n".encode())
            proc.stdin.flush()
            sent += 1
            time.sleep(0.05)  # a slow producer, the situation the progress line is for
        out, _ = proc.communicate(timeout=30)
        terminal = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the other end is closed and everything was read
                break
            if not chunk:
                break
            terminal += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    text = terminal.decode()
    _RECORDED.append((request.node.nodeid, proc.args, out.decode(), text))
    assert proc.returncode == 0, text
    assert re.search(r"\rsend: \d+ lines, \d+ batches, [\d.]+ (B|KiB|MiB), \d+ lines/s\x1b\[K", text), (
        repr(text))
    assert "\r\x1b[K" in text, "the progress line is cleared before the summary"
    assert text.rstrip("\r\n").split("\n")[-1].split("\r\x1b[K")[-1].startswith(f"send: {sent} lines")
    assert len(get_events(DEFAULT_GROUP, "progress", expected=sent)) == sent


# ------------------------------------------------------------------ memory bound, whatever the input

MAX_RSS_BYTES = 64 * 1024 * 1024
# Under ASan the process also holds the sanitizer's shadow memory and its 256 MiB quarantine of
# freed blocks: a peak RSS then measures the sanitizer, not us. The dev build checks the bound.
SANITIZED = os.environ.get("CWP_SANITIZED") == "1"
# Valid UTF-8 with 1-, 2-, 3- and 4-byte characters, so that piece cuts meet every kind.
PATTERN = "ab\u00e9\u20ac\U0001F600z".encode()
BLOCK = (PATTERN * (2**20 // len(PATTERN)) + b"abcd")[: 2**20]  # 1 MiB
assert len(BLOCK) == 2**20 and BLOCK.decode()


def no_newline_input(mebibytes: int) -> Iterator[bytes]:
    """`mebibytes` MiB of valid UTF-8 without a single newline."""
    for _ in range(mebibytes):
        yield BLOCK


class HashingLogsStub:
    """A CloudWatch Logs endpoint that keeps nothing: it accepts every call and hashes the
    messages of the PutLogEvents calls in the order they arrive (one stream, one sender)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.events = 0
        self.largest_message = 0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # the answer's two writes: no 40 ms delayed-ACK wait

            def do_POST(self) -> None:  # noqa: N802 (stdlib name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if self.headers.get("X-Amz-Target", "").endswith(".PutLogEvents"):
                    for event in json.loads(body)["logEvents"]:
                        message = event["message"].encode()
                        stub.digest.update(message)
                        stub.events += 1
                        stub.largest_message = max(stub.largest_message, len(message))
                answer = b"{}"
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hashing_stub() -> Iterator[HashingLogsStub]:
    stub = HashingLogsStub()
    yield stub
    stub.close()


def send_measured(binary: Path, clean_home: Path, env: dict[str, str], args: list[str],
                  chunks: Iterator[bytes], tmp_path: Path, request: pytest.FixtureRequest
                  ) -> tuple[BinaryResult, int, str]:
    """Runs send with `chunks` piped to its stdin. Returns the result, the peak RSS of the
    process in bytes (VmHWM, read every 10 ms until it exits: a peak in its last 10 ms would be
    missed) and the SHA-256 of what was piped."""
    argv = [str(binary), "send", *args]
    out_path, err_path = tmp_path / "send.out", tmp_path / "send.err"
    digest = hashlib.sha256()
    started = time.monotonic()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(argv, env=binary_env(clean_home, env), stdin=subprocess.PIPE,
                                stdout=out, stderr=err)

        def feed() -> None:
            assert proc.stdin is not None
            try:
                for chunk in chunks:
                    digest.update(chunk)
                    proc.stdin.write(chunk)
            except BrokenPipeError:
                pass
            finally:
                proc.stdin.close()

        feeder = threading.Thread(target=feed)
        feeder.start()
        peak = wait_measuring_peak(proc, timeout_s=600)
        feeder.join()
    result = BinaryResult(proc.returncode, out_path.read_text(errors="replace"),
                          err_path.read_text(errors="replace"), argv, time.monotonic() - started)
    _RECORDED.append((request.node.nodeid, argv, result.stdout, result.stderr))
    print(f"send: {result.elapsed_s:.1f} s wall, peak RSS {peak / 2**20:.1f} MiB")
    return result, peak, digest.hexdigest()


@pytest.mark.memory
@pytest.mark.skipif(SANITIZED, reason="a memory bound (and 1 GiB through ASan, ~4 min): "
                    "scripts/test runs it on the Release binary")
def test_a_gibibyte_without_a_newline_is_sent_in_bounded_memory(
    moto, binary, clean_home, hashing_stub, tmp_path, request
):
    # 1 GiB against a stub that hashes what it receives (moto would have to hold all of it).
    total = 2**30
    result, peak_rss, sent_digest = send_measured(
        binary, clean_home, moto.env("publisher", endpoint=hashing_stub.url),
        ["--stream", "one-gibibyte"], no_newline_input(total // 2**20), tmp_path, request)
    assert result.rc == 0, result.describe()
    figures = summary(result)
    assert figures["lines"] == 1 and figures["split"] == 1, result.describe()
    assert figures["bytes"] == total and figures["delivered"] == figures["events"]
    assert peak_rss <= MAX_RSS_BYTES, f"peak RSS {peak_rss / 2**20:.1f} MiB"
    assert hashing_stub.events == figures["events"] >= total // SPLIT_LIMIT
    assert hashing_stub.largest_message <= SPLIT_LIMIT
    assert hashing_stub.digest.hexdigest() == sent_digest, "what arrived is not what was sent"


@pytest.mark.memory
def test_a_long_line_without_a_newline_reads_back_identical_from_cloudwatch_logs(
    moto, binary, clean_home, aws_cli, tmp_path, request
):
    total = 64 * 2**20
    result, peak_rss, sent_digest = send_measured(
        binary, clean_home, moto.env("publisher"), ["--log-group", "/long-line", "--stream", "long"],
        no_newline_input(total // 2**20), tmp_path, request)
    assert result.rc == 0, result.describe()
    figures = summary(result)
    assert figures["lines"] == 1 and figures["split"] == 1 and figures["bytes"] == total
    if not SANITIZED:  # the content check below runs in both builds
        assert peak_rss <= MAX_RSS_BYTES, f"peak RSS {peak_rss / 2**20:.1f} MiB"
    events = all_events(aws_cli, "/long-line", "long")
    assert len(events) == figures["events"]
    messages = [e["message"].encode() for e in events]
    assert max(len(m) for m in messages) <= SPLIT_LIMIT
    assert hashlib.sha256(b"".join(messages)).hexdigest() == sent_digest, "read back differs"
