#!/usr/bin/env bash
# The purchased-certificate story, end to end, on a local store. A demo
# "vendor" CA made with the openssl command line sells the certificates.
#
#   1. "buy" a certificate: certs/mail.pfx, protected by MAIL_PFX_PASSWORD
#   2. store init, validate, plan, apply: imported as supplied and enabled; drift 0
#   3. the renewal arrives (new key, new serial) and replaces certs/mail.pfx:
#      plan shows a replacement and why; apply backs up the old certificate
#      first, then imports and enables the new one; drift 0
#   4. ten days before it expires (XCERT_NOW moves the clock): drift exits 2
#      with the days left
#
# Running it again is safe: step 3 then simply delivers one more renewal.
# ./run.sh --reset deletes what it generated.
#
# The binary: $XCERT, or ../../build/xcert (built by scripts/setup when missing).
set -euo pipefail
cd "$(dirname "$0")"

if [[ ${1:-} == --reset ]]; then
  rm -rf ca certs store backups .xcert
  echo "removed ca/ certs/ store/ backups/ .xcert/"
  exit 0
fi

xcert="${XCERT:-../../build/xcert}"
if [[ -z ${XCERT:-} && ! -x $xcert ]]; then ../../scripts/setup; fi

# Secrets come from the environment, never from the manifest: the .pfx
# password (passwordEnv) and the backup password. Demo values only.
export MAIL_PFX_PASSWORD="${MAIL_PFX_PASSWORD:-demo-pfx-only-change-me}"
export XCERT_BACKUP_PASSWORD="${XCERT_BACKUP_PASSWORD:-demo-only-change-me}"

bold() { if [[ -t 1 ]]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
run() {
  bold "\$ xcert $*"
  "$xcert" "$@"
}

# The demo vendor: a root CA (in real life, a public CA your clients trust).
if [[ ! -f ca/ca.pem ]]; then
  bold "# making the demo vendor CA in ./ca (once)"
  mkdir -p ca
  chmod 700 ca
  (
    umask 077
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out ca/ca.key
    openssl req -x509 -new -config <(printf '[req]\ndistinguished_name = dn\n[dn]\n') \
      -key ca/ca.key -subj "/C=US/O=Demo Vendor/CN=Demo Vendor TLS CA" -days 3650 \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash" \
      -out ca/ca.pem
  )
fi

# Buying (or renewing) a certificate: a new key and CSR, signed by the vendor
# for a year, packed with the vendor's chain into a .pfx. What you get from a
# vendor's portal, or from Windows: Export-PfxCertificate / the MMC export
# wizard ("Yes, export the private key", "Include all certificates in the
# certification path").
buy() {
  local work
  work=$(mktemp -d)
  (
    umask 077
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/mail.key"
    openssl req -new -config <(printf '[req]\ndistinguished_name = dn\n[dn]\n') \
      -key "$work/mail.key" -subj "/C=US/O=Pocket Consultant/CN=mail.pocket-consultant.com" \
      -out "$work/mail.csr"
    openssl x509 -req -in "$work/mail.csr" -CA ca/ca.pem -CAkey ca/ca.key \
      -CAserial ca/ca.srl -CAcreateserial -days 365 \
      -extfile <(printf '%s\n' "basicConstraints=CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
        "subjectAltName=DNS:mail.pocket-consultant.com,DNS:autodiscover.pocket-consultant.com" \
        "authorityKeyIdentifier=keyid" "subjectKeyIdentifier=hash") \
      -out "$work/mail.pem" 2>/dev/null
    mkdir -p certs
    openssl pkcs12 -export -in "$work/mail.pem" -inkey "$work/mail.key" -certfile ca/ca.pem \
      -name "mail.pocket-consultant.com" -passout env:MAIL_PFX_PASSWORD -out certs/mail.pfx.new
    mv certs/mail.pfx.new certs/mail.pfx
  )
  rm -rf "$work"
  openssl pkcs12 -in certs/mail.pfx -passin env:MAIL_PFX_PASSWORD -nokeys -clcerts |
    openssl x509 -noout -serial -enddate
}

# 1. The purchase (once).
if [[ ! -f certs/mail.pfx ]]; then
  bold "# buying mail.pocket-consultant.com from the demo vendor -> certs/mail.pfx"
  buy
fi

# 2. Import and enable it, as supplied; then nothing to do, and in sync.
run validate
run store init --store ./store --server MailServer21 --fqdn MailServer21.pocket-consultant.com \
  --roles Mailbox --version 2019 --domain pocket-consultant.com
run plan
run apply --auto-approve
run drift

# 3. The renewal arrives: a new key and serial in the same file. The plan
# replaces the certificate (-/+) and says why (RenewedFile: the file holds a
# certificate valid until later than the store's, with both dates). Apply exports the old one to
# ./backups/MailServer21/<THUMBPRINT>.pfx before it loses its services.
bold "# a year later the vendor sends the renewal; it replaces certs/mail.pfx"
buy
run plan
run apply --auto-approve
bold "\$ ls backups/MailServer21"
ls backups/MailServer21
run drift

# 4. Ten days before the certificate expires. xcert cannot renew a purchased
# certificate; drift exits 2 (RenewalDue, with the days left) so that CI
# reminds you to buy the renewal in time.
not_after=$(openssl pkcs12 -in certs/mail.pfx -passin env:MAIL_PFX_PASSWORD -nokeys -clcerts |
  openssl x509 -noout -enddate | cut -d= -f2)
later=$(date -u -d "$not_after - 10 days" +%Y-%m-%dT%H:%M:%SZ)
bold "\$ XCERT_NOW=$later xcert drift    # the clock moved to ten days before it expires"
rc=0
XCERT_NOW=$later "$xcert" drift || rc=$?
if [[ $rc != 2 ]]; then
  echo "error: expected drift to exit 2 (renewal due), got $rc" >&2
  exit 1
fi
bold "# drift exited 2: time to buy the renewal"
