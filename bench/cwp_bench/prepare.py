"""Set-up: the machine, the Python tools, the aws executable, the seed script, the release build."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .common import BENCH, ROOT, log


def machine_info() -> dict[str, str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "n/a"
    try:
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f"{kib / 1048576:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": model,
        "cores": str(os.cpu_count()),
        "memory": mem,
        "kernel": platform.release(),
        "os": _os_release(),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
    }


def _os_release() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def ensure_python_deps() -> dict[str, str]:
    """Install what bench/requirements.txt lists into this interpreter, only what is missing:
    moto[server], awscli, matplotlib (the charts), yacron (the jobs comparison)."""
    need = []
    if not all(importlib.util.find_spec(m) for m in ("moto", "flask", "flask_cors", "werkzeug")):
        need.append("moto[server]")
    for pkg, mod in (("awscli", "awscli"), ("watchtower", "watchtower"), ("matplotlib", "matplotlib"), ("yacron", "yacron")):
        if importlib.util.find_spec(mod) is None:
            need.append(pkg)
    if need:
        log(f"installing missing Python packages: {' '.join(need)}")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *need], check=True)
        importlib.invalidate_caches()
    versions = {}
    for mod in ("moto", "awscli", "botocore", "matplotlib", "yacron"):
        try:
            versions[mod] = __import__(mod).__version__
        except Exception:
            versions[mod] = "?"
    return versions


def find_aws_bin(explicit: str | None) -> str:
    """The real aws entry script (not a pyenv/asdf shim, which would be timed too)."""
    if explicit:
        return explicit
    candidates = [Path(sys.prefix) / "bin" / "aws"]
    which = shutil.which("aws")
    if which and "shims" in which and shutil.which("pyenv"):
        try:
            out = subprocess.run(["pyenv", "which", "aws"], capture_output=True, text=True, timeout=20)
            if out.returncode == 0 and out.stdout.strip():
                candidates.append(Path(out.stdout.strip()))
        except (OSError, subprocess.TimeoutExpired):
            pass
    if which and "shims" not in which:
        candidates.append(Path(which))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    raise SystemExit("bench/run: no aws executable found (pip install awscli, or pass --aws-bin)")


def find_seed(explicit: str | None) -> Path:
    for c in filter(None, [explicit, os.environ.get("SEED_SCRIPT"), str(BENCH / "seed" / "publish-log.sh")]):
        p = Path(c)
        if p.is_file():
            return p
    raise SystemExit("bench/run: seed script publish-log.sh not found (pass --seed-script)")


def build(jobs: int, tmp: Path) -> tuple[Path, str, float]:
    """Release build into build-bench/; returns (binary, how it was linked, seconds)."""
    bdir = ROOT / "build-bench"
    logf = tmp / "build.log"
    t = time.monotonic()
    base = ["cmake", "-S", str(ROOT), "-B", str(bdir), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=MinSizeRel",
            "-DCWP_BUILD_TESTS=OFF"]
    nice = ["nice", "-n", "10"] if shutil.which("nice") else []
    how = "static, as the release preset configures it"
    with open(logf, "ab") as out:
        ok = subprocess.run(base + ["-DCWP_STATIC=ON"], stdout=out, stderr=subprocess.STDOUT).returncode == 0
        ok = ok and subprocess.run(nice + ["cmake", "--build", str(bdir), "-j", str(jobs)],
                                   stdout=out, stderr=subprocess.STDOUT).returncode == 0
    if ok:
        return bdir / "cloudwatch-publisher", how, time.monotonic() - t
    raise SystemExit(f"bench/run: build failed, see {logf}")


def git_describe() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "CMakeLists.txt", "cmake"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + (" + uncommitted changes under src/ or cmake" if dirty else "")
    except (OSError, subprocess.TimeoutExpired):
        return "?"
