"""The image itself: size, user, contents, metadata, and one heartbeat from inside it.

Spec (docs/container.md, product.md section 2): FROM scratch; at most 10 MB; runs as numeric
non-root UID 10001 named appuser; no shell; exec-form ENTRYPOINT/CMD (`run` by default);
SIGTERM as stop signal; OCI labels; no secrets in ENV. The `debug` target holds the same binary
with bash and the AWS CLI.
"""

from __future__ import annotations

import json
import re
import stat

import pytest
from conftest import REPO_ROOT, _docker

MAX_IMAGE_BYTES = 10_000_000  # product target: 10 MB or less, everything included
BINARY = "usr/local/bin/cloudwatch-publisher"
# Every regular file the image holds; anything new here is a deliberate decision.
IMAGE_FILES = {
    BINARY,
    "etc/ssl/certs/ca-certificates.crt",
    "etc/passwd",
    "etc/group",
    "etc/nsswitch.conf",
}
# Files `docker create` adds to every container filesystem (etc/mtab: a link to /proc/mounts).
DOCKER_MADE = {".dockerenv", "dev/console", "etc/hostname", "etc/hosts", "etc/resolv.conf",
               "etc/mtab"}
SHELLS = {"sh", "bash", "ash", "dash", "busybox", "zsh"}
# Links to the binary, which answers under a shell's name (src/cli/shell_shim.h).
SHELL_LINKS = {"bin/sh", "bin/bash"}
OCI_LABELS = ["title", "description", "source", "licenses", "version"]
HARDENED = ["--network", "host", "--read-only", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges"]


def project_version() -> str:
    text = (REPO_ROOT / "CMakeLists.txt").read_text()
    match = re.search(r"project\([^)]*VERSION\s+([0-9][0-9.]*)", text)
    assert match, "no project(... VERSION x.y.z) in CMakeLists.txt"
    return match.group(1)


def test_image_is_at_most_10_mb(image, image_config):
    size = int(image_config["Size"])
    print(f"image {image}: {size} bytes ({size / 1e6:.2f} MB)")
    assert size <= MAX_IMAGE_BYTES, f"{size} bytes > {MAX_IMAGE_BYTES}"


def test_runs_as_numeric_non_root_user_named_appuser(image_config, image_files):
    user = image_config["Config"]["User"]
    assert re.fullmatch(r"\d+:\d+", user), f"User must be numeric uid:gid, is {user!r}"
    uid, gid = (int(x) for x in user.split(":"))
    assert uid != 0 and gid != 0, user
    passwd = image_files["etc/passwd"][1].decode()
    group = image_files["etc/group"][1].decode()
    users = {f[2]: f[0] for f in (line.split(":") for line in passwd.splitlines()) if len(f) >= 7}
    groups = {f[2]: f[0] for f in (line.split(":") for line in group.splitlines()) if len(f) >= 3}
    assert users.get(str(uid)) == "appuser", passwd
    assert groups.get(str(gid)) == "appuser", group


def test_holds_the_binary_and_its_data_and_nothing_else(image_files):
    regular = {path for path, (info, _) in image_files.items() if info.isfile()}
    assert regular - DOCKER_MADE == IMAGE_FILES
    executables = {p for p in regular - DOCKER_MADE if image_files[p][0].mode & 0o111}
    assert executables == {BINARY}
    binary_info = image_files[BINARY][0]
    assert binary_info.uid == 0 and not binary_info.mode & (stat.S_IWGRP | stat.S_IWOTH), (
        "the binary must not be writable by the user it runs as"
    )
    links = [p for p, (info, _) in image_files.items() if info.issym() or info.islnk()]
    assert set(links) <= DOCKER_MADE | SHELL_LINKS, links


def test_holds_no_shell_and_its_shell_names_are_the_binary(image, image_files):
    names = {path.rsplit("/", 1)[-1] for path, (info, _) in image_files.items() if info.isfile()}
    assert not names & SHELLS, sorted(names & SHELLS)
    for shell in SHELL_LINKS:
        info, _ = image_files[shell]
        assert info.issym() and info.linkname == "/" + BINARY, (shell, info.linkname)
    # Nothing a shell would run is run: `-c true` does not succeed.
    proc = _docker("run", "--rm", "--entrypoint", "/bin/sh", image, "-c", "true", timeout=60)
    assert proc.returncode == 127, proc.stderr
    assert "this image has no shell" in proc.stderr, proc.stderr


def test_the_replaced_readmes_debug_command_says_what_to_do_instead(image):
    # The replaced image's README: `docker run -it ... --entrypoint /bin/bash cloudwatch-publisher`
    # (without -it here: no terminal in a test). On a scratch image without the link it failed
    # with OCI's "exec: /bin/bash: no such file or directory".
    proc = _docker("run", "--rm", "-e", "AWS_REGION=eu-west-1", "--entrypoint", "/bin/bash",
                   image, timeout=60)
    assert proc.returncode == 127, proc.stderr
    assert "no such file" not in proc.stderr.lower(), proc.stderr
    assert "this image has no shell: /bin/bash is cloudwatch-publisher" in proc.stderr
    assert "docker build --target debug -t cloudwatch-publisher:debug ." in proc.stderr
    assert "cloudwatch-publisher check" in proc.stderr
    assert proc.stdout == ""


def test_entrypoint_and_cmd_are_exec_form_and_stop_signal_is_sigterm(image_config):
    config = image_config["Config"]
    assert config["Entrypoint"] == ["/usr/local/bin/cloudwatch-publisher"]
    assert config["Cmd"] == ["run"]
    assert config["StopSignal"] == "SIGTERM"


def test_environment_holds_no_secrets_or_aws_settings(image_config):
    names = [entry.split("=", 1)[0] for entry in image_config["Config"].get("Env") or []]
    assert not [n for n in names if n.startswith("AWS_") or "SECRET" in n or "TOKEN" in n], names


def test_oci_labels_are_present_and_version_matches_the_binary(image, image_config):
    labels = image_config["Config"].get("Labels") or {}
    for key in OCI_LABELS:
        assert labels.get(f"org.opencontainers.image.{key}"), f"label {key} missing: {labels}"
    assert labels["org.opencontainers.image.title"] == "cloudwatch-publisher"
    proc = _docker("run", "--rm", image, "--version", timeout=60)
    assert proc.returncode == 0, proc.stderr
    version = labels["org.opencontainers.image.version"]
    assert proc.stdout.strip() == f"cloudwatch-publisher {version}"


def test_version_prints_the_project_version(image):
    proc = _docker("run", "--rm", *HARDENED, image, "--version", timeout=60)
    print(proc.stdout.strip())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"cloudwatch-publisher {project_version()}"
    assert proc.stderr == ""


def test_once_delivers_a_heartbeat_from_inside_the_hardened_container(
    moto, docker_run, get_events, today
):
    container = docker_run(["once"], env=moto.env("publisher"), docker_args=HARDENED)
    assert container.wait_exit(timeout=60) == 0, container.describe()
    published = [l for l in container.lines()
                 if l["message"] == "Successfully published log to CloudWatch Logs"]
    assert len(published) == 1, container.describe()
    assert published[0]["log_group"] == "/monorepo-fem/heartbeat"
    assert published[0]["log_stream"] == f"heartbeat-{today}"
    events = get_events("/monorepo-fem/heartbeat", f"heartbeat-{today}", expected=1)
    assert json.loads(events[0]["message"])["event"] == "heartbeat"


def test_debug_target_has_bash_the_aws_cli_and_the_same_binary(image, debug_image):
    script = "id -u; id -un; aws --version; cloudwatch-publisher --version"
    proc = _docker("run", "--rm", "--entrypoint", "/bin/bash", debug_image, "-c", script,
                   timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    uid, name, aws_version, version = proc.stdout.strip().splitlines()
    print(f"debug image {debug_image}: {aws_version}")
    assert (uid, name) == ("10001", "appuser")
    assert aws_version.startswith("aws-cli/")
    released = _docker("run", "--rm", image, "--version", timeout=60).stdout.strip()
    assert version == released
    config = json.loads(_docker("image", "inspect", debug_image, check=True).stdout)[0]["Config"]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"] == ["/usr/local/bin/cloudwatch-publisher"]
    assert config["Cmd"] == ["run"]
