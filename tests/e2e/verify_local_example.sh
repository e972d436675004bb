#!/usr/bin/env bash
# Runs examples/verify-local/run.sh as a new user would (real nginx, Postfix
# and Dovecot on loopback: apply, verify, a broken reload hook rolled back,
# history, restore) on a copy of the example, with the built binary.
#   verify_local_example.sh XCERT_BINARY
# Exit 77 (skipped, with the reason) when not root or a server is missing.
set -euo pipefail
xcert=$(realpath "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
if [[ $(id -u) != 0 ]]; then
  echo "skipped: examples/verify-local needs root (Postfix and Dovecot drop privileges)"
  exit 77
fi
PATH=$PATH:/usr/sbin:/sbin
for program in nginx postfix dovecot doveadm openssl; do
  if ! command -v "$program" >/dev/null; then
    echo "skipped: $program is not installed (scripts/setup --test installs it)"
    exit 77
  fi
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Postfix's and Dovecot's workers run as their own users and must reach the
# example's folders, as they do in a clone (mktemp makes the folder 0700).
chmod 755 "$work"
cp -r "$here/examples/verify-local" "$work/"
# The copy starts clean: nothing a local run of the example left behind.
(cd "$work/verify-local" && ./run.sh --reset >/dev/null)
XCERT=$xcert "$work/verify-local/run.sh"
