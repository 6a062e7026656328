"""The documentation is the user's manual: README.md is the front page, docs/*.md hold the rest.
Every setting, subcommand, option, exit code and log message the program has is documented in
that set; every page is reachable from the front page; every relative link resolves; every
documented command line uses options the program has; every JSON example parses. These tests
read the program (its --help and its sources) and the pages (tests/support/readme_examples.py)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import readme_examples as docs

REPO = docs.REPO
DOCS = docs.text()
SUBCOMMANDS = ("run", "once", "check", "send", "health", "exec", "alarm", "dashboard")


def help_options(text: str) -> list[tuple[str, str, str]]:
    """(flag, variable, default) of every setting --help lists."""
    rows = re.findall(r"^\s+(--[a-z-]+) TEXT .*\[env: ([A-Z_]+)\]\s+\(default: (.*)\)$", text, re.M)
    assert rows
    return rows


def table_rows(section: str) -> list[str]:
    return [line for line in section.splitlines() if line.startswith("| `")]


def test_every_setting_in_help_has_a_row_in_the_settings_table(run_binary):
    rc, out, _ = run_binary(["--help"])
    assert rc == 0
    flags = re.findall(r"^\s+(--[a-z-]+) TEXT", out, re.M)
    settings = help_options(out)
    assert len(settings) == len(flags), "a setting without [env: ...] or (default: ...) in --help"
    rows = table_rows(docs.section("Settings", docs.DOCS / "configuration.md"))
    for flag, env, default in settings:
        [row] = [r for r in rows if r.startswith(f"| `{flag}` |")] or [None]
        assert row, f"docs/configuration.md's settings table has no row for {flag}"
        assert f"`{env}`" in row, (flag, env, row)
        # A default --help prints as a value (not a phrase such as "none: memory only") is
        # shown in the table as that value.
        if not default.startswith("none") and not re.search(r"[A-Za-z]{3,} [A-Za-z]", default):
            assert f"`{default}`" in row, (flag, default, row)


def test_the_front_page_settings_are_real_settings_with_their_flags(run_binary):
    _, out, _ = run_binary(["--help"])
    flag_of = {env: flag for flag, env, _ in help_options(out)}
    rows = table_rows(docs.section("Settings people change most"))
    assert 5 <= len(rows) <= 12, "the README lists the settings people change most, not all"
    for row in rows:
        env, flag = re.match(r"\| `([A-Z_]+)` \(`(--[a-z-]+)`\)", row).groups()
        assert flag_of.get(env) == flag, row


def test_every_aws_variable_in_help_is_in_the_aws_settings_table(run_binary):
    _, out, _ = run_binary(["--help"])
    [epilog] = [line for line in out.splitlines() if line.startswith("AWS settings follow")]
    names = re.findall(r"\b(?:AWS|HTTPS?|NO)_[A-Z_]+\b", epilog)
    assert "AWS_ACCESS_KEY_ID" in names
    table = docs.section("AWS settings", docs.DOCS / "configuration.md")
    for name in names:
        assert f"`{name}`" in table, name


def test_every_subcommand_and_its_options_are_documented(run_binary):
    _, out, _ = run_binary(["--help"])
    subcommands = re.findall(r"^  ([a-z]+)\s{2,}", out.split("Subcommands:")[1], re.M)
    assert set(SUBCOMMANDS) == set(subcommands), "update SUBCOMMANDS"
    commands = docs.section("Commands", docs.README)
    for sub in subcommands:
        assert f"`cloudwatch-publisher {sub}" in commands, f"README Commands table: {sub}"
        for option in subcommand_options(run_binary, sub):
            assert f"cloudwatch-publisher {sub} {option}" in DOCS, (sub, option)


def subcommand_options(run_binary, sub: str) -> list[str]:
    """The options only `sub` has (its --help lists them without an [env: ...])."""
    rc, out, _ = run_binary([sub, "--help"])
    assert rc == 0
    return [o for o in re.findall(r"^\s+(--[a-z-]+)", out, re.M) if o != "--help"
            and not re.search(rf"^\s+{o} TEXT .*\[env: ", out, re.M)]


def documented_invocations() -> list[list[str]]:
    """Every `cloudwatch-publisher ...` in the pages' sh examples, as words (each command of a
    pipeline or list; variable assignments before it dropped)."""
    found = []
    for block in docs.blocks("sh"):
        for line in re.sub(r"\\\n\s*", " ", block).splitlines():
            lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
            lexer.whitespace_split, lexer.commenters = True, "#"
            words: list[str] = []
            for word in [*lexer, ";"]:
                if word in ("|", "||", "&&", ";", "&"):
                    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                        words.pop(0)
                    if words and words[0] == "cloudwatch-publisher":
                        found.append(words)
                    words = []
                else:
                    words.append(word)
    return found


def test_every_documented_command_line_uses_options_the_program_has(run_binary):
    _, out, _ = run_binary(["--help"])
    common = set(re.findall(r"^\s+(?:-h,)?(--[a-z-]+)", out, re.M))
    own = {sub: set(subcommand_options(run_binary, sub)) for sub in SUBCOMMANDS}
    invocations = documented_invocations()
    assert len(invocations) >= 5, invocations
    for words in invocations:
        sub = next((w for w in words[1:] if w in SUBCOMMANDS), None)
        allowed = common | own.get(sub, set())
        for word in words[1:]:
            if word == "--":
                break  # what follows is exec's command, with options of its own
            if word.startswith("--"):
                assert word.split("=")[0] in allowed, f"{shlex.join(words)}: {word}"


def test_every_exit_code_is_in_the_exit_codes_table():
    source = (REPO / "src/daemon/exit_code.h").read_text()
    codes = re.findall(r"=\s*(\d+),", source)
    assert codes
    table = docs.section("Exit codes", docs.DOCS / "operations.md")
    for code in codes:
        assert re.search(rf"^\| {code} \|", table, re.M), code


def test_every_log_message_is_documented():
    """The literal start of every message passed to a logger appears in the documentation."""
    call = re.compile(r"\.(?:info|warn|error)\(\s*(?:std::string\()?\"([^\"]{12,})\"")
    missing = []
    for path in sorted((REPO / "src").rglob("*.cpp")):
        for text in call.findall(path.read_text()):
            prefix = text[:30]
            if prefix not in DOCS:
                missing.append(f"{path.relative_to(REPO)}: {text}")
    assert not missing, "undocumented log messages:\n" + "\n".join(missing)


def test_the_front_page_stays_a_front_page():
    text = docs.README.read_text()
    assert len(text.splitlines()) <= 250, "README.md is the front page: move details to docs/"
    quick_start = docs.section("Quick start", docs.README)
    commands = [line for block in re.findall(r"^```sh\n(.*?)^```", quick_start, re.M | re.S)
                for line in block.splitlines()]
    for command in ("docker build -t cloudwatch-publisher .", "scripts/test"):
        assert command in commands, f"the quick start lost {command!r}: {commands}"
    assert any(line.startswith("docker run -d ") for line in commands), commands


# ------------------------------------------------------------------------------- links
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def links(page: Path) -> list[str]:
    """Link targets of `page`, outside fenced and inline code."""
    prose = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.M | re.S)
    prose = re.sub(r"`[^`\n]*`", "", prose)
    return LINK.findall(prose)


def resolved(page: Path, target: str) -> tuple[Path, str]:
    path, _, fragment = target.partition("#")
    return ((page.parent / path).resolve() if path else page.resolve()), fragment


def test_every_docs_page_is_linked_from_the_front_page_or_the_index():
    index = docs.DOCS / "README.md"
    front = {resolved(docs.README, t)[0] for t in links(docs.README)}
    assert index.resolve() in front, "README.md does not link docs/README.md"
    linked = front | {resolved(index, t)[0] for t in links(index)}
    unlinked = [p.name for p in docs.pages() if p.resolve() not in linked | {docs.README}]
    assert not unlinked, f"docs pages linked from neither README.md nor docs/README.md: {unlinked}"


@pytest.mark.parametrize("page", docs.pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_and_anchor_resolves(page: Path):
    broken = []
    for target in links(page):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:: not ours to check offline
        path, fragment = resolved(page, target)
        if not path.exists():
            broken.append(f"{target}: no such file")
        elif fragment and path.suffix == ".md":
            anchors = {docs.anchor(h.title) for h in docs.headings(path)}
            if fragment not in anchors:
                broken.append(f"{target}: no heading #{fragment} in {path.name}")
    assert not broken, f"{page.name}:\n" + "\n".join(broken)


def test_every_json_example_parses():
    examples = docs.blocks("json")
    assert len(examples) >= 3
    for example in examples:
        json.loads(example)
