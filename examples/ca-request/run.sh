#!/usr/bin/env bash
# The external-CA story, end to end, on a local store. A demo CA made with
# the openssl command line stands in for yours; each step says what you would
# do with Active Directory Certificate Services (AD CS) or a commercial CA.
#
#   1. store init, validate, plan, apply: a pending request on the server and
#      its CSR in ./outbox
#   2. drift exits 2: the certificate is Pending, with the CSR to submit
#   3. "the CA signs it": the demo CA signs the CSR into ./inbox
#   4. plan shows the import and the services; apply; drift exits 0
#
# Running it again is safe: it carries on from where the store is (a request
# already answered is not signed again). ./run.sh --reset starts over.
#
# The binary: $XCERT, or ../../build/xcert (built by scripts/setup when missing).
set -euo pipefail
cd "$(dirname "$0")"

if [[ ${1:-} == --reset ]]; then
  rm -rf ca store backups outbox inbox .xcert
  echo "removed ca/ store/ backups/ outbox/ inbox/ .xcert/"
  exit 0
fi

xcert="${XCERT:-../../build/xcert}"
if [[ -z ${XCERT:-} && ! -x $xcert ]]; then ../../scripts/setup; fi

# Backups of private keys are password-protected PKCS#12 files; the password
# comes from the environment, never from the manifest. This one is for the demo.
export XCERT_BACKUP_PASSWORD="${XCERT_BACKUP_PASSWORD:-demo-only-change-me}"

bold() { if [[ -t 1 ]]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
run() {
  bold "\$ xcert $*"
  "$xcert" "$@"
}

# The demo CA. It is not part of xcert's configuration at all: the manifest
# only names the two folders. Yours is AD CS or a vendor.
if [[ ! -f ca/ca.pem ]]; then
  bold "# making the demo CA in ./ca (once); in real life this is AD CS or a vendor"
  mkdir -p ca
  chmod 700 ca
  (
    umask 077
    openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out ca/ca.key
    openssl req -x509 -new -config <(printf '[req]\ndistinguished_name = dn\n[dn]\n') \
      -key ca/ca.key -subj "/C=US/O=Pocket Consultant/CN=Pocket Consultant Enterprise CA" \
      -days 3650 -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash" \
      -out ca/ca.pem
  )
fi

# 1. The server, and the plan: `create` makes a new key and a pending request
# on MailServer21 (Exchange: New-ExchangeCertificate -GenerateRequest); apply
# writes the request's CSR to ./outbox/mail@MailServer21.csr.
run validate
run store init --store ./store --server MailServer21 --fqdn MailServer21.pocket-consultant.com \
  --roles Mailbox --version 2019 --domain pocket-consultant.com
run plan
run apply --auto-approve

# 2. Until the CA answers, drift exits 2 (Pending) and names the CSR; in CI
# this is the reminder that someone has to submit it. `xcert show` lists the
# request too ([PendingRequest]).
rc=0
run drift || rc=$?
case $rc in
  2) ;;
  0) bold "# nothing pending: the request was answered on an earlier run (./run.sh --reset starts over)" ;;
  *) exit "$rc" ;;
esac

# 3. The CA signs the CSR. With the demo CA that is `openssl x509 -req`; the
# names come from the CSR (-copy_extensions copy), the extensions a web server
# certificate needs from the CA's side (a template, for AD CS).
#
#   AD CS, certreq (on a domain-joined Windows machine):
#     certreq -submit -config "CA01.pocket-consultant.com\Pocket Consultant Enterprise CA" ^
#       -attrib "CertificateTemplate:WebServer" outbox\mail@MailServer21.csr ^
#       inbox\mail.cer inbox\mail.p7b
#     (the .cer is the certificate, the .p7b the same with its chain: keep one of
#     them in inbox/; a CA manager may have to approve the request first, then
#     certreq -retrieve <RequestId> fetches it)
#   AD CS, web enrollment (https://CA01/certsrv): "Request a certificate" >
#     "advanced certificate request" > paste the CSR's text > template "Web Server" >
#     Submit > "Base 64 encoded" > "Download certificate" (or "certificate chain",
#     a .p7b) > save it in inbox/.
#   A commercial CA: paste the CSR's text in the vendor's order form, pass its
#     domain validation, download the certificate (PEM/.crt or .p7b) > save it
#     in inbox/.
#
# The answer here is what "Download certificate chain" gives: a PKCS#7 file
# (.p7b) with the signed certificate and the CA above it, so the server gets
# the chain too. xcert matches an answer to its request by the public key, so
# the file name does not matter; a file that answers no pending request is
# reported and left alone.
mkdir -p inbox ca/issued
for csr in outbox/*.csr; do
  [[ -f $csr ]] || continue
  name=$(basename "$csr" .csr)
  answer="inbox/$name.p7b"
  [[ -f $answer ]] && continue
  bold "# the CA signs $csr -> $answer"
  openssl x509 -req -in "$csr" -CA ca/ca.pem -CAkey ca/ca.key \
    -CAserial ca/ca.srl -CAcreateserial -days 365 -copy_extensions copy \
    -extfile <(printf '%s\n' "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" "authorityKeyIdentifier=keyid" \
      "subjectKeyIdentifier=hash") \
    -out "ca/issued/$name.pem"
  openssl crl2pkcs7 -nocrl -certfile "ca/issued/$name.pem" -certfile ca/ca.pem \
    -outform DER -out "$answer"
  openssl x509 -in "ca/issued/$name.pem" -noout -ext subjectAltName
done

# 4. The next plan finds the answer: it imports it on the server where the
# request is pending (Exchange: Import-ExchangeCertificate), which joins it to
# the key made in step 1, then enables it for IIS, IMAP, POP and SMTP.
run plan
run apply --auto-approve
run drift
run show
