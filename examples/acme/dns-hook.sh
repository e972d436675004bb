#!/usr/bin/env bash
# An `exec` hook for dns-01, in the shape of uacme's: xcert runs
#   dns-hook.sh add|remove IDENT TOKEN KEYAUTH
# and puts the record to publish in XCERT_ACME_TXT_NAME / XCERT_ACME_TXT_VALUE.
# This one feeds pebble-challtestsrv, the DNS server Pebble asks (run.sh
# starts both); for your DNS provider, call its API here instead. Exit 0 on
# "add" means the record is served now.
set -euo pipefail
action=$1
api=${CHALLTESTSRV_API:-http://127.0.0.1:8055}
case $action in
  add) path=set-txt ;;
  remove) path=clear-txt ;;
  *) echo "dns-hook.sh: unknown action '$action' (add or remove)" >&2; exit 1 ;;
esac
body="{\"host\":\"${XCERT_ACME_TXT_NAME}.\",\"value\":\"${XCERT_ACME_TXT_VALUE:-}\"}"
curl -sSf -X POST -d "$body" "$api/$path" >/dev/null
