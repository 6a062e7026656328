#!/bin/sh
# An example job: prints how full a file system is, and fails (exit 1) above 90 %.
set -eu
target=${1:-/}
used=$(df -P "$target" | awk 'NR == 2 { sub("%", "", $5); print $5 }')
echo "disk-report: $target is ${used}% full"
if [ "$used" -gt 90 ]; then
  echo "disk-report: $target is over 90% full" >&2
  exit 1
fi
