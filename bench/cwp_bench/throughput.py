"""`send` at the limit of the machine, side by side with what users would pick instead (issue 16).

The same input (a file of 100-byte or 1 KiB lines) goes, in turn, through `cloudwatch-publisher
send`, a boto3 loop batching to the PutLogEvents limits (10,000 events / 1 MiB per call) and the
watchtower logging handler, into the same endpoint: bench/throughput_stub.c, a C stub that reads
each request's Content-Length bytes without parsing them and answers `{}` at once, over plain
HTTP and over TLS with its own CA (AWS_CA_BUNDLE). For each run: lines/s and MB/s (wall), CPU
seconds per GB of input (user+sys of the client), peak RSS of the client, and the stub's own CPU
(it must stay far below the client's, or the stub would be what is measured)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .common import BENCH, log

REGION = "us-east-1"
GROUP = "/bench/throughput"

BOTO3_LOOP = r"""
import sys, time, boto3
from botocore.config import Config
client = boto3.client("logs", endpoint_url=sys.argv[1], region_name="us-east-1",
                      verify=sys.argv[2] if len(sys.argv) > 2 else None,
                      config=Config(retries={"max_attempts": 3}))
events, size = [], 0
def put():
    global events, size
    if events:
        client.put_log_events(logGroupName="/bench/throughput", logStreamName="boto3", logEvents=events)
    events, size = [], 0
for raw in sys.stdin.buffer:
    line = raw.rstrip(b"\n").decode("utf-8", "replace")
    if not line:
        continue
    n = len(line.encode()) + 26
    if len(events) == 10000 or size + n > 1048576:
        put()
    events.append({"timestamp": int(time.time() * 1000), "message": line})
    size += n
put()
"""

WATCHTOWER_LOOP = r"""
import logging, sys, boto3, watchtower
client = boto3.client("logs", endpoint_url=sys.argv[1], region_name="us-east-1",
                      verify=sys.argv[2] if len(sys.argv) > 2 else None)
handler = watchtower.CloudWatchLogHandler(log_group_name="/bench/throughput", log_stream_name="watchtower",
                                          boto3_client=client, create_log_group=False,
                                          create_log_stream=False, send_interval=1)
logger = logging.getLogger("bench")
logger.propagate = False
logger.addHandler(handler)
logger.setLevel(logging.INFO)
for raw in sys.stdin.buffer:
    line = raw.rstrip(b"\n").decode("utf-8", "replace")
    if line:
        logger.info(line)
handler.close()
"""


def _cc() -> str | None:
    return shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")


def compile_stub(tmp: Path) -> Path | None:
    """bench/throughput_stub.c built in `tmp` (None: no C compiler or OpenSSL headers)."""
    return compile_c(tmp, "throughput_stub", BENCH / "throughput_stub.c", ["-lssl", "-lcrypto", "-lpthread"])


def compile_c(tmp: Path, name: str, source: Path, libs: list[str]) -> Path | None:
    cc = _cc()
    if not cc:
        return None
    out = tmp / name
    r = subprocess.run([cc, "-O2", "-o", str(out), str(source), *libs], capture_output=True, text=True)
    if r.returncode != 0:
        log(f"could not build {source.name}: {r.stderr.strip()[:300]}")
        return None
    return out


def _certificates(tmp: Path) -> tuple[Path, Path, Path] | None:
    """A CA and a certificate for 127.0.0.1 it signed: (ca.pem, cert.pem, key.pem)."""
    openssl = shutil.which("openssl")
    if not openssl:
        return None
    d = tmp / "tls"
    d.mkdir(exist_ok=True)
    ca, ca_key, key, csr, cert, ext = (d / n for n in ("ca.pem", "ca.key", "srv.key", "srv.csr", "srv.pem", "ext.cnf"))
    ext.write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    steps = [
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca),
         "-days", "2", "-subj", "/CN=cwp-bench-ca"],
        [openssl, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
         "-subj", "/CN=127.0.0.1"],
        [openssl, "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial",
         "-out", str(cert), "-days", "2", "-extfile", str(ext)],
    ]
    for argv in steps:
        if subprocess.run(argv, capture_output=True).returncode != 0:
            return None
    return ca, cert, key


class FastStub:
    """bench/throughput_stub.c on a free 127.0.0.1 port; cpu() reads its user+sys so far."""

    def __init__(self, exe: Path, tmp: Path, tls: tuple[Path, Path, Path] | None) -> None:
        port_file = tmp / f"stub-{time.monotonic_ns()}.port"
        argv = [str(exe), str(port_file)] + ([str(tls[1]), str(tls[2])] if tls else [])
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("the throughput stub did not start")
            time.sleep(0.02)
        port = int(port_file.read_text())
        self.endpoint = f"{'https' if tls else 'http'}://127.0.0.1:{port}"

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> dict[str, int]:
        """Stops it; returns what it counted ({"requests", "body_bytes", "events"}; {} if killed)."""
        self.proc.terminate()
        try:
            out, _ = self.proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return {}
        counts = (field.split("=", 1) for field in out.decode(errors="replace").split())
        return {k: int(v) for k, v in counts if v.isdigit()}


def write_lines(path: Path, width: int, count: int) -> Path:
    """`count` lines of `width` bytes (newline included), numbered, into `path`."""
    filler = b"x" * (width - 9)
    with open(path, "wb") as f:
        chunk = []
        for i in range(count):
            chunk.append(b"%08d" % i + filler + b"\n")
            if len(chunk) == 10_000:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
    return path


def _inputs(tmp: Path, quick: bool) -> list[tuple[str, Path, int, int]]:
    """(label, file, lines, bytes): 100-byte and 1 KiB lines (newline included)."""
    out = []
    for label, width, count in (("100 B lines", 100, 200_000 if quick else 2_000_000),
                                ("1 KiB lines", 1024, 20_000 if quick else 200_000)):
        out.append((label, write_lines(tmp / f"lines-{width}.txt", width, count), count, count * width))
    return out


def client_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of every client these phases run: the caller's, without its CWP_ and AWS_
    settings or AWS files, with the bench's keys and region."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CWP_", "AWS_"))}
    env.update({"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench-secret", "AWS_REGION": REGION,
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": str(tmp / "no-aws-config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-aws-credentials")})
    env.update(extra)
    return env


def measure_client(rusage: Path | None, argv: list[str], env: dict[str, str], stdin: Path, tmp: Path,
                   timeout: float, stub: FastStub | None = None) -> dict[str, Any]:
    """One client run with `stdin` as its input: rc, wall, cpu, rss_kib, the stub's CPU meanwhile."""
    res = tmp / "throughput.rusage"
    res.unlink(missing_ok=True)
    cpu_before = stub.cpu() if stub else 0.0
    started = time.monotonic()
    with open(stdin, "rb") as f:
        r = subprocess.run(([str(rusage), str(res)] if rusage else []) + argv, env=env, stdin=f,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    wall = time.monotonic() - started
    stub_cpu = stub.cpu() - cpu_before if stub else float("nan")
    if rusage:
        rc, wall_ns, user_us, sys_us, maxrss = (int(x) for x in res.read_text().split())
        return {"rc": rc, "wall": wall_ns / 1e9, "cpu": (user_us + sys_us) / 1e6, "rss_kib": maxrss,
                "stub_cpu": stub_cpu, "stderr": r.stderr.decode(errors="replace")[-400:]}
    return {"rc": r.returncode, "wall": wall, "cpu": float("nan"), "rss_kib": float("nan"),
            "stub_cpu": stub_cpu, "stderr": r.stderr.decode(errors="replace")[-400:]}


def phase_throughput(binary: Path, quick: bool, tmp: Path, rusage: Path | None) -> dict[str, Any]:
    """Every (tool, input, transport) run; a tool that is missing (watchtower not installed) or
    fails is recorded as such, never fatal."""
    exe = compile_stub(tmp)
    if exe is None:
        return {"skipped": "no C compiler or OpenSSL headers for bench/throughput_stub.c"}
    tls = _certificates(tmp)
    base = client_env(tmp)
    have_watchtower = subprocess.run([sys.executable, "-c", "import watchtower"], capture_output=True).returncode == 0
    rows: list[dict[str, Any]] = []
    for label, path, lines, size in _inputs(tmp, quick):
        for scheme in ("http", "https"):
            if scheme == "https" and tls is None:
                continue
            stub = FastStub(exe, tmp, tls if scheme == "https" else None)
            try:
                env = dict(base, AWS_ENDPOINT_URL=stub.endpoint)
                if scheme == "https":
                    env["AWS_CA_BUNDLE"] = str(tls[0])
                verify = [str(tls[0])] if scheme == "https" else []
                tools = [("cloudwatch-publisher send", [str(binary), "send", "--log-group", GROUP, "--stream", "send"])]
                # The Python comparators on the 100-byte input only in quick mode (they are slow).
                if not quick or label.startswith("100"):
                    tools.append(("boto3 loop", [sys.executable, "-c", BOTO3_LOOP, stub.endpoint, *verify]))
                    if have_watchtower and scheme == "http":
                        tools.append(("watchtower", [sys.executable, "-c", WATCHTOWER_LOOP, stub.endpoint]))
                for tool, argv in tools:
                    log(f"throughput: {tool}, {label}, {scheme}")
                    m = measure_client(rusage, argv, env, path, tmp, timeout=900, stub=stub)
                    rows.append({"tool": tool, "input": label, "scheme": scheme, "lines": lines, "bytes": size,
                                 "label": f"{tool} ({label}, {scheme})",
                                 "lines_per_s": lines / m["wall"] if m.get("wall") else None, **m})
            finally:
                stub.stop()
    return {"rows": rows, "watchtower": have_watchtower, "quick": quick}


def report_section(t: dict[str, Any] | None) -> list[str]:
    """The Markdown section of bench/RESULTS.md: one row per run, then the ratios of issue 16."""
    if not t:
        return []
    out = ["", "## `send` throughput, side by side", ""]
    if "skipped" in t:
        return out + [f"Skipped: {t['skipped']}."]
    out += ["| tool | input | endpoint | lines/s | MB/s | CPU s per GB | peak RSS | stub CPU | exit |",
            "|---|---|---|---|---|---|---|---|---|"]
    for r in t["rows"]:
        gb = r["bytes"] / 1e9
        out.append(
            f"| {r['tool']} | {r['input']} | {r['scheme']} | {r['lines'] / r['wall']:,.0f} | "
            f"{r['bytes'] / 1e6 / r['wall']:,.1f} | {r['cpu'] / gb:.2f} | {r['rss_kib'] / 1024:.1f} MiB | "
            f"{r['stub_cpu']:.2f} s of {r['cpu']:.2f} s | {r['rc']} |")

    def find(tool: str, label: str, scheme: str) -> dict[str, Any] | None:
        return next((r for r in t["rows"] if (r["tool"], r["input"], r["scheme"]) == (tool, label, scheme)), None)

    ours = find("cloudwatch-publisher send", "100 B lines", "http")
    notes = []
    for other, goal in (("boto3 loop", 25), ("watchtower", 70)):
        theirs = find(other, "100 B lines", "http")
        if ours and theirs and ours["rc"] == 0 and theirs["rc"] == 0:
            speed = (ours["lines"] / ours["wall"]) / (theirs["lines"] / theirs["wall"])
            cpu = (theirs["cpu"] / theirs["bytes"]) / (ours["cpu"] / ours["bytes"])
            notes.append(f"{speed:.0f}× the lines/s of the {other} (goal ≥ {goal}×), {cpu:.0f}× less CPU per GB")
    tls = find("cloudwatch-publisher send", "100 B lines", "https")
    if ours and tls:
        notes.append(f"HTTPS at {100 * ours['wall'] / tls['wall']:.0f} % of the plain-HTTP rate (goal ≥ 80 %)")
    out += ["", "100-byte lines over plain HTTP: " + ("; ".join(notes) if notes else "n/a") + ". "
            "Goals (issue 16): `send` ≥ 1,000,000 lines/s of 100-byte lines and ≥ 100 MB/s of 1 KiB lines, "
            "peak RSS ≤ 32 MiB. The endpoint is bench/throughput_stub.c (reads Content-Length bytes, answers "
            "`{}`); its CPU is shown beside the client's. " + ("Quick run: small inputs, Python comparators on "
            "the 100-byte input only." if t.get("quick") else "")]
    if not t.get("watchtower"):
        out.append("watchtower is not installed (`pip install -r bench/requirements.txt`): no watchtower rows.")
    return out


def main() -> int:
    """`python3 -m cwp_bench.throughput BINARY [--quick]`: this phase alone, printed as Markdown."""
    import tempfile

    binary = Path(sys.argv[1])
    quick = "--quick" in sys.argv[2:]
    tmp = Path(tempfile.mkdtemp(prefix="cwp-throughput-"))
    try:
        rusage = compile_c(tmp, "rusage", BENCH / "rusage.c", [])
        print("\n".join(report_section(phase_throughput(binary, quick, tmp, rusage))))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
