"""The user documentation: README.md (the front page) and the pages of docs/, read as one set, so
tests can check it against the program and run exactly what it shows, wherever a section or an
example lives now."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = REPO / "docs"

_FENCE = re.compile(r"^(```|~~~)")
_HEADING = re.compile(r"^(#{1,6}) +(.*?) *#*$")


def pages() -> list[Path]:
    """README.md, then every docs/*.md, in a stable order."""
    return [README, *sorted(DOCS.glob("*.md"))]


def text() -> str:
    """Every page's text, joined: for checks that a fact is documented somewhere."""
    return "\n".join(page.read_text() for page in pages())


@dataclass(frozen=True)
class Heading:
    page: Path
    level: int
    title: str
    line: int  # index into the page's lines


def headings(page: Path) -> list[Heading]:
    """The page's Markdown headings, skipping fenced code (where `# ` starts a shell comment)."""
    found, in_fence = [], False
    for i, line in enumerate(page.read_text().splitlines()):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := _HEADING.match(line)):
            found.append(Heading(page, len(m.group(1)), m.group(2), i))
    return found


def anchor(title: str) -> str:
    """The `#fragment` GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def section(title: str, page: Path | None = None) -> str:
    """The text under the one heading called `title` (any level; in `page`, else in any page),
    up to the next heading of the same or a higher level."""
    found = [h for p in ([page] if page else pages()) for h in headings(p) if h.title == title]
    assert len(found) == 1, f"expected one documentation heading {title!r}: {found}"
    start = found[0]
    lines = start.page.read_text().splitlines()
    later = [h.line for h in headings(start.page) if h.line > start.line and h.level <= start.level]
    return "\n".join(lines[start.line + 1 : later[0] if later else len(lines)]) + "\n"


def blocks(language: str) -> list[str]:
    """Every fenced example in `language` (```sh, ```json, ...) of every page."""
    return [b for page in pages()
            for b in re.findall(rf"^```{language}\n(.*?)^```", page.read_text(), re.M | re.S)]


def command(prefix: str) -> list[str]:
    """The one shell command in the documentation that starts with `prefix` (continuation lines
    joined), split into words."""
    found = []
    for block in blocks("sh"):
        joined = re.sub(r"\\\n\s*", " ", block)
        found += [line for line in joined.splitlines() if line.startswith(prefix)]
    assert len(found) == 1, f"expected one documented command starting with {prefix!r}: {found}"
    return shlex.split(found[0].split("  #")[0])


def json_example(containing: str) -> Any:
    """The one JSON example in the documentation whose text contains `containing`, parsed."""
    found = [b for b in blocks("json") if containing in b]
    assert len(found) == 1, f"expected one documented JSON example containing {containing!r}"
    return json.loads(found[0])
