#!/usr/bin/env bash
# The ACME story, end to end, on a local store and this machine only:
#
#   1. start pebble-challtestsrv (the DNS Pebble asks: every name is
#      127.0.0.1, TXT records as dns-hook.sh sets them) and Pebble itself,
#      with a TLS certificate made by the openssl command line (./pebble)
#   2. xcert store init: two Mailbox servers as Exchange setup leaves them
#   3. validate, plan, apply: two orders, `mail` by http-01 (xcert answers on
#      127.0.0.1:5002, where Pebble validates) and the wildcard `smtp` by
#      dns-01 (dns-hook.sh); each imported on both servers
#   4. plan --detailed-exitcode (0: nothing left to do), drift (0: in sync)
#   5. the served chains checked by `openssl verify` against Pebble's root
#   6. a month before the end of `mail`'s validity, drift says it is due (exit 2)
#
# Each run starts from a new store: Pebble is a new CA every time it starts.
# Needs Debian's pebble package (scripts/setup --deps installs it); exits 77
# when it is missing. ./run.sh --reset deletes what it generated.
# The binary: $XCERT, or ../../build/xcert (built by scripts/setup when missing).
set -euo pipefail
cd "$(dirname "$0")"

if [[ ${1:-} == --reset ]]; then
  rm -rf acme pebble store backups .xcert
  echo "removed acme/ pebble/ store/ backups/ .xcert/"
  exit 0
fi
for program in pebble pebble-challtestsrv openssl curl; do
  if ! command -v "$program" >/dev/null; then
    echo "skipped: $program is not installed (scripts/setup --deps installs it)"
    exit 77
  fi
done

xcert="${XCERT:-../../build/xcert}"
if [[ -z ${XCERT:-} && ! -x $xcert ]]; then ../../scripts/setup; fi
export XCERT_BACKUP_PASSWORD="${XCERT_BACKUP_PASSWORD:-demo-only-change-me}"

bold() { if [[ -t 1 ]]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
run() {
  bold "\$ xcert $*"
  "$xcert" "$@"
}
wait_for_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "error: nothing listens on 127.0.0.1:$1 (see pebble/*.log)" >&2
  return 1
}

# 1. Pebble and its DNS, on the ports xcert.yaml names, stopped on exit.
mkdir -p pebble
if [[ ! -f pebble/cert.pem ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 30 \
    -keyout pebble/key.pem -out pebble/cert.pem 2>/dev/null
fi
cat >pebble/pebble.json <<JSON
{"pebble": {"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000",
  "certificate": "pebble/cert.pem", "privateKey": "pebble/key.pem",
  "httpPort": 5002, "tlsPort": 5001, "ocspResponderURL": "",
  "externalAccountBindingRequired": false}}
JSON
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 127.0.0.1:8053 \
  -http01 "" -https01 "" -tlsalpn01 "" -management 127.0.0.1:8055 \
  >pebble/challtestsrv.log 2>&1 &
pids+=($!)
# Pebble's validation sleeps are off to keep the demo short; its nonce
# rejection (5% of requests) stays on: xcert retries those.
PEBBLE_VA_NOSLEEP=1 pebble -config pebble/pebble.json -dnsserver 127.0.0.1:8053 \
  >pebble/pebble.log 2>&1 &
pids+=($!)
wait_for_port 8055
wait_for_port 14000
bold "# Pebble on https://127.0.0.1:14000/dir, its DNS on 127.0.0.1:8053"

# 2. The servers, as Exchange setup leaves them. Pebble is a new CA each time
# it starts (new root, no accounts), so each run starts from a new store.
rm -rf store backups .xcert
run validate
run store init -f xcert.yaml

# 3. Plan (no ACME server needed), then apply (the orders run in parallel).
run plan
run apply --auto-approve

# 4. Nothing left to do, and in sync: set -e stops the script if not.
run plan --detailed-exitcode
run drift
run show --server MailServer21

# 5. What the servers serve verifies against Pebble's root (a new root each
# time Pebble starts: this check is only meaningful right after apply).
curl -sSf --cacert pebble/cert.pem https://127.0.0.1:15000/roots/0 >pebble/root.pem
for service in IIS SMTP; do
  for server in MailServer21 MailServer22; do
    chain=store/$server/services/$service/fullchain.pem
    awk '/BEGIN/{n++} n>1' "$chain" >pebble/untrusted.pem
    name=mail.pocket-consultant.com
    [[ $service == SMTP ]] && name=smtp.pocket-consultant.com
    bold "\$ openssl verify -verify_hostname $name ($server $service)"
    openssl verify -CAfile pebble/root.pem -untrusted pebble/untrusted.pem \
      -verify_hostname "$name" "$chain"
  done
done

# 6. Renewal: xcert's clock a few days into `mail`'s renewal window (XCERT_NOW
# moves only xcert's clock). Drift exits 2 and says it is due.
not_after=$(openssl x509 -noout -enddate -in store/MailServer21/services/IIS/cert.pem | cut -d= -f2)
soon=$(date -u -d "$not_after - 20 days" +%Y-%m-%dT%H:%M:%SZ)
bold "\$ XCERT_NOW=$soon xcert drift"
set +e
XCERT_NOW=$soon "$xcert" drift
code=$?
set -e
if [[ $code != 2 ]]; then
  echo "error: drift should exit 2 inside the renewal window, not $code" >&2
  exit 1
fi
bold "# drift exits 2: 'mail' is due; apply renews it by a new order"
