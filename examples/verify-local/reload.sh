#!/usr/bin/env bash
# The reload hook of xcert.yaml (hooks.reload): makes the demo nginx, Postfix
# and Dovecot that ./run.sh started read store/MailServer21/services/ again.
# xcert runs it with no shell of its own, once, after apply changed the
# server's bindings. A server that is not running is skipped.
#
# When run/hook-broken exists it only pretends (exit 0, no reload): what a
# hook naming the wrong service looks like. ./run.sh uses that to show
# verify catching it.
set -euo pipefail
cd "$(dirname "$0")"
run="$PWD/run"

if [[ -e $run/hook-broken ]]; then
  echo "reload.sh: pretending to reload (run/hook-broken exists)"
  exit 0
fi
running() { [[ -f $1 ]] && kill -0 "$(head -n1 "$1" | tr -d " ")" 2>/dev/null; }

if running "$run/nginx/nginx.pid"; then
  nginx -e "$run/nginx/error.log" -p "$run/nginx" -c "$run/nginx/nginx.conf" -s reload
fi
if running "$run/postfix/queue/pid/master.pid"; then
  postfix -c "$run/postfix/conf" reload 2>/dev/null
fi
if running "$run/dovecot/r/master.pid"; then
  doveadm -c "$run/dovecot/dovecot.conf" reload
fi
