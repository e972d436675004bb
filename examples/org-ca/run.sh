#!/usr/bin/env bash
# The organisation-CA story, end to end, on a local store (no Exchange server
# and no real CA needed):
#
#   1. make a demo CA with the openssl command line (once, into ./ca)
#   2. xcert store init: three servers as Exchange setup leaves them
#   3. validate, plan, apply: the CA issues `mail` once (shared by both Mailbox
#      servers) and one SMTP certificate for the Edge server
#   4. plan --detailed-exitcode (0: nothing left to do), drift (0: in sync), show
#   5. check that both Mailbox servers serve the same `mail` thumbprint
#
# Running it again is safe: every step is idempotent (the second run finds
# nothing to do). ./run.sh --reset deletes what it generated, CA included.
#
# The binary: $XCERT, or ../../build/xcert (built by scripts/setup when missing).
set -euo pipefail
cd "$(dirname "$0")"

if [[ ${1:-} == --reset ]]; then
  rm -rf ca store backups .xcert
  echo "removed ca/ store/ backups/ .xcert/"
  exit 0
fi

xcert="${XCERT:-../../build/xcert}"
if [[ -z ${XCERT:-} && ! -x $xcert ]]; then ../../scripts/setup; fi

# Secrets come from the environment, never from the manifest. These defaults
# are for the demo only; with a real CA, export CA_KEY_PASSWORD from your
# secret store (the manifest names the variable: keyPasswordEnv).
export XCERT_BACKUP_PASSWORD="${XCERT_BACKUP_PASSWORD:-demo-only-change-me}"
export CA_KEY_PASSWORD="${CA_KEY_PASSWORD:-demo-ca-only-change-me}"

bold() { if [[ -t 1 ]]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
run() {
  bold "\$ xcert $*"
  "$xcert" "$@"
}

# 1. The demo CA: what an organisation CA gives you as files. CA:TRUE and
# keyCertSign are what xcert checks before it signs anything with it; the key
# is encrypted (AES-256) and readable only by you (umask 077 -> mode 0600).
if [[ ! -f ca/ca.pem ]]; then
  bold "# making the demo CA in ./ca (once)"
  mkdir -p ca
  chmod 700 ca
  (
    umask 077
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 \
      -aes-256-cbc -pass env:CA_KEY_PASSWORD -out ca/ca.key
    openssl req -x509 -new -config <(printf '[req]\ndistinguished_name = dn\n[dn]\n') \
      -key ca/ca.key -passin env:CA_KEY_PASSWORD \
      -subj "/C=US/O=Pocket Consultant/CN=Pocket Consultant Issuing CA" -days 3650 \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -addext "subjectKeyIdentifier=hash" -out ca/ca.pem
  )
  chmod 644 ca/ca.pem
  openssl x509 -in ca/ca.pem -noout -subject -enddate
fi

# 2. The servers, as Exchange setup leaves them (a self-signed default
# certificate on each). A second run says "already exists; nothing changed".
run validate
# Every server of the manifest, with its FQDN, roles and version.
run store init -f xcert.yaml

# 3. Plan, then apply: `issue` runs in xcert (signed with the CA key), then
# `import` + `enable` on each server; the default certificates are backed up
# to ./backups before they lose a service.
run plan
run apply --auto-approve

# 4. Nothing left to do (exit 0), and in sync (exit 0): set -e stops the
# script here if either is not.
run plan --detailed-exitcode
# drift only reads: it needs the stores and the CA *certificate*, not the CA key.
bold "\$ env -u CA_KEY_PASSWORD xcert drift    # a CI job without the CA secret"
env -u CA_KEY_PASSWORD "$xcert" drift
run show

# 5. The shared certificate is one certificate: the same thumbprint on both
# Mailbox servers (show's first column; the subject identifies the row).
thumbprint() {
  "$xcert" show --server "$1" | awk '/CN=mail\.pocket-consultant\.com/ { print $1; exit }'
}
t21=$(thumbprint MailServer21)
t22=$(thumbprint MailServer22)
bold "# mail on MailServer21: $t21"
echo "# mail on MailServer22: $t22"
if [[ -z $t21 || $t21 != "$t22" ]]; then
  echo "error: the shared certificate differs between the servers" >&2
  exit 1
fi
echo "# the same certificate on both servers"
