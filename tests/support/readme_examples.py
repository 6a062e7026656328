"""The README's shell and JSON examples, so tests can run exactly what the manual shows."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(), re.M | re.S)


def command(prefix: str) -> list[str]:
    """The one shell command in the README that starts with `prefix` (continuation lines
    joined), split into words."""
    found = []
    for block in _blocks("sh"):
        joined = re.sub(r"\\\n\s*", " ", block)
        found += [line for line in joined.splitlines() if line.startswith(prefix)]
    assert len(found) == 1, f"expected one README command starting with {prefix!r}: {found}"
    return shlex.split(found[0].split("  #")[0])


def json_example(containing: str) -> Any:
    """The one JSON example in the README whose text contains `containing`, parsed."""
    found = [b for b in _blocks("json") if containing in b]
    assert len(found) == 1, f"expected one README JSON example containing {containing!r}"
    return json.loads(found[0])
