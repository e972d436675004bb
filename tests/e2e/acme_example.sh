#!/usr/bin/env bash
# Runs examples/acme/run.sh as a new user would (Debian's pebble and
# pebble-challtestsrv on loopback: http-01 and dns-01 orders, apply, in sync,
# openssl verify of what is served, renewal due) on a copy of the example,
# with the built binary. Exit 77 (skipped) is the example's own.
#   acme_example.sh XCERT_BINARY
set -euo pipefail
xcert=$(realpath "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$here/examples/acme/." "$work"
XCERT=$xcert "$work/run.sh"
