"""Checks for the binary's own log lines (product rule: one JSON object per line).

Every line starts with the keys service, timestamp (YYYY-MM-DDTHH:MM:SSZ), level, message, in that
order; more keys may follow. INFO and WARN go to stdout, ERROR to stderr.
"""

from __future__ import annotations

import json
import re
from typing import Any

FIRST_KEYS = ["service", "timestamp", "level", "message"]
SERVICES = {"cloudwatch-publisher-entrypoint", "cloudwatch-publisher"}
TIMESTAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
LEVELS_BY_STREAM = {"stdout": {"DEBUG", "INFO", "WARN"}, "stderr": {"ERROR"}}


def parse_lines(text: str, stream: str) -> list[dict[str, Any]]:
    """Parse every non-empty line of `text` (the binary's `stream`, "stdout" or "stderr") and
    assert the log-line contract; returns the objects in order."""
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{stream} line {number}: {line!r}"
        try:
            obj = json.loads(line, object_pairs_hook=_ordered_no_duplicates)
        except ValueError as e:
            raise AssertionError(f"not JSON ({e}): {where}") from None
        assert isinstance(obj, dict), f"not a JSON object: {where}"
        assert list(obj)[:4] == FIRST_KEYS, f"first keys must be {FIRST_KEYS}: {where}"
        assert obj["service"] in SERVICES, f"unknown service: {where}"
        assert isinstance(obj["timestamp"], str) and TIMESTAMP_RE.match(
            obj["timestamp"]
        ), f"timestamp must look like 2025-10-30T12:34:56Z: {where}"
        assert obj["level"] in LEVELS_BY_STREAM[stream], (
            f"level {obj['level']!r} does not belong on {stream}: {where}"
        )
        assert isinstance(obj["message"], str) and obj["message"], f"empty message: {where}"
        out.append(obj)
    return out


def _ordered_no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise ValueError(f"duplicate keys {sorted(dupes)}")
    return dict(pairs)


def find(lines: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    """The first line whose message contains `text`."""
    return next((line for line in lines if text in line["message"]), None)


def messages(lines: list[dict[str, Any]]) -> list[str]:
    return [line["message"] for line in lines]
