"""The README is the user's manual: every setting, exit code and log message the program has is
documented there. These tests read the program (its --help and its sources) and the README."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text()


def test_every_option_in_help_is_in_the_settings_table(run_binary):
    rc, out, _ = run_binary(["--help"])
    assert rc == 0
    flags = re.findall(r"^\s+(--[a-z-]+) TEXT", out, re.M)
    envs = re.findall(r"\[env: ([A-Z_]+)\]", out)
    assert flags and len(flags) == len(envs)
    for flag, env in zip(flags, envs):
        assert f"`{flag}`" in README, flag
        assert f"`{env}`" in README, env


def test_every_subcommand_in_help_is_documented(run_binary):
    _, out, _ = run_binary(["--help"])
    subcommands = re.findall(r"^  ([a-z]+)\s{2,}", out.split("Subcommands:")[1], re.M)
    assert "run" in subcommands and "once" in subcommands
    for sub in subcommands:
        assert f"cloudwatch-publisher {sub}" in README, sub


def test_every_exit_code_is_documented():
    source = (REPO / "src/daemon/exit_code.h").read_text()
    codes = re.findall(r"=\s*(\d+),", source)
    assert codes
    table = README.split("## Exit codes")[1].split("##")[0]
    for code in codes:
        assert re.search(rf"^\| {code} \|", table, re.M), code


def test_every_log_message_is_documented():
    """The literal start of every message passed to a logger appears in the README."""
    call = re.compile(r"\.(?:info|warn|error)\(\s*(?:std::string\()?\"([^\"]{12,})\"")
    missing = []
    for path in sorted((REPO / "src").rglob("*.cpp")):
        for text in call.findall(path.read_text()):
            prefix = text[:30]
            if prefix not in README:
                missing.append(f"{path.relative_to(REPO)}: {text}")
    assert not missing, "undocumented log messages:\n" + "\n".join(missing)
