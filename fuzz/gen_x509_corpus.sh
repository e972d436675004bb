#!/usr/bin/env bash
# Regenerates the committed x509 seed corpus (fuzz/corpus/x509) with the
# openssl command line: certificates of every key type and shape the parser
# supports, as DER (what ParseCertificate takes) and as the files
# ReadCertificates takes (PEM chain, PKCS#7 in DER and PEM).
set -euo pipefail
out="$(cd "$(dirname "$0")" && pwd)/corpus/x509"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mkdir -p "$out"
cat > ext.cnf <<'CNF'
[x_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:mail.contoso.com, DNS:autodiscover.contoso.com, DNS:*.contoso.com, IP:10.0.0.1, email:a@contoso.com, URI:https://contoso.com/
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[x_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[x_many]
subjectAltName = @x_names
[x_names]
CNF
for i in $(seq 1 40); do echo "DNS.$i = host$i.example.org" >> ext.cnf; done

der() { openssl x509 -in "$1.pem" -outform DER -out "$out/$1.der"; }

openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
  -subj "/C=DE/O=Contoso/OU=PKI/CN=Contoso Root CA" -extensions x_ca -config <(cat /etc/ssl/openssl.cnf ext.cnf) 2>/dev/null
der ca
for k in "ec:p256:-newkey ec -pkeyopt ec_paramgen_curve:P-256" \
         "ec:p384:-newkey ec -pkeyopt ec_paramgen_curve:P-384" \
         "ec:p521:-newkey ec -pkeyopt ec_paramgen_curve:P-521" \
         "rsa:3072:-newkey rsa:3072"; do
  name="leaf-${k%%:*}-$(echo "$k" | cut -d: -f2)"
  opts=$(echo "$k" | cut -d: -f3-)
  # shellcheck disable=SC2086
  openssl req -new $opts -nodes -keyout "$name.key" -out "$name.csr" \
    -subj "/CN=mail.contoso.com/O=Contoso Ltd/L=München/C=DE" -utf8 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 398 \
    -extfile ext.cnf -extensions x_leaf -out "$name.pem" 2>/dev/null
  der "$name"
done
# v1 (no extensions), a far-future GeneralizedTime, many names, a self-signed EC.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout v1.key -out v1.csr -subj "/CN=v1" 2>/dev/null
openssl x509 -req -in v1.csr -signkey v1.key -days 36500 -out v1.pem 2>/dev/null
der v1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout many.key -out many.pem \
  -days 30 -subj "/DC=org/DC=example/OU=A+OU=B/CN=many, names" -extensions x_many \
  -config <(cat /etc/ssl/openssl.cnf ext.cnf) 2>/dev/null
der many
openssl req -x509 -newkey rsa:2048 -nodes -keyout ss.key -out ss.pem -days 1 -subj "/CN=self" \
  -set_serial 0x80f0f0f0f0f0f0f0f0 2>/dev/null
der ss
# Files for ReadCertificates.
cat leaf-ec-p256.pem ca.pem > "$out/chain.pem"
openssl crl2pkcs7 -nocrl -certfile leaf-rsa-3072.pem -certfile ca.pem -outform DER -out "$out/chain.p7b"
openssl crl2pkcs7 -nocrl -certfile leaf-ec-p384.pem -out "$out/chain-p7b.pem"
ls "$out"
