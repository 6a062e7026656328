# Shell helpers shared by scripts/test, scripts/fuzz, scripts/build-base-image and scripts/demo.
# Source it, after `set -euo pipefail`, from a script that sets `script_name` (the prefix of its
# error messages, e.g. "scripts/test"):
#
#   script_name=scripts/fuzz
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# It defines functions only; it runs nothing and changes no option of the caller.

# die MESSAGE: print "<script_name>: MESSAGE" to stderr and exit 1.
die() {
  printf '%s: %s\n' "$script_name" "$*" >&2
  exit 1
}

# usage_from_header FILE: print FILE's header comment (from line 2 to the first line that is not
# a comment), without the leading "# ". Each script's header is its --help.
usage_from_header() {
  awk 'NR > 1 && !/^#/ { exit } NR > 1' "$1" | sed 's/^# \{0,1\}//'
}

# as_root COMMAND...: run COMMAND as root (directly when root, else with sudo); fails with a
# message naming the command when neither is possible.
as_root() {
  if ((EUID == 0)); then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "$script_name: need root or sudo to run: $*" >&2
    return 1
  fi
}

# installed PACKAGE: true if the Debian package is installed.
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# apt_install PACKAGE...: install the Debian packages (no recommends, non-interactive), after one
# apt-get update.
apt_install() {
  as_root apt-get update || return
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# missing_packages PACKAGE...: print the packages that are not installed, one a line.
missing_packages() {
  local pkg
  for pkg in "$@"; do
    installed "$pkg" || printf '%s\n' "$pkg"
  done
}

# pip_install REQUIREMENT...: install Python packages for whatever `python3` is on PATH, with pip
# (installed from Debian first if missing); Debian's own python3 refuses pip installs (PEP 668)
# unless told otherwise, so it is told.
pip_install() {
  if ! python3 -m pip --version >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      python3-pip || return
  fi
  local pip_args=(--disable-pip-version-check --root-user-action=ignore)
  if python3 -c 'import sys, sysconfig, os; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
    pip_args+=(--break-system-packages)
  fi
  python3 -m pip install "${pip_args[@]}" "$@"
}
