#!/usr/bin/env bash
# "Enabled" is not "served": the whole story on loopback with real servers.
#
#   1. a demo CA sells a certificate for mail.example.test (certs/mail.pem)
#   2. store init, apply: the store binds it to IIS, SMTP, IMAP and POP and
#      writes store/MailServer21/services/<SERVICE>/{cert,key,fullchain}.pem
#   3. nginx, Postfix and Dovecot start on loopback reading those files;
#      xcert verify probes all of them (7 endpoints): exit 0
#   4. a renewal: apply switches the files, runs the reload hook
#      (./reload.sh) and probes every endpoint: the new certificate is
#      served, exit 0
#   5. the hook breaks (it pretends to reload): after the next renewal the
#      store binds the new certificate but the servers still serve the old
#      one; apply's verification fails and it rolls MailServer21 back to the
#      old certificate (exit 1); verify exit 0; xcert history shows the run
#   6. the hook is fixed: apply again, exit 0
#   7. xcert restore of the last run: the certificate of step 4 is back and
#      served; drift exit 2 (the manifest still asks for the newer one)
#
# Postfix and Dovecot need root (their daemons drop privileges to their own
# users): run it as root, e.g. in a container or VM: sudo ./run.sh
# Debian packages: nginx postfix dovecot-imapd dovecot-pop3d openssl.
# The servers stop when the script ends. ./run.sh --reset deletes what it made.
#
# The binary: $XCERT, or ../../build/xcert (built by scripts/setup when missing).
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD

if [[ ${1:-} == --reset ]]; then
  rm -rf ca certs store backups run .xcert
  echo "removed ca/ certs/ store/ backups/ run/ .xcert/"
  exit 0
fi

xcert="${XCERT:-../../build/xcert}"
if [[ -z ${XCERT:-} && ! -x $xcert ]]; then ../../scripts/setup; fi
xcert=$(realpath "$xcert")

export XCERT_BACKUP_PASSWORD="${XCERT_BACKUP_PASSWORD:-demo-only-change-me}"
export NO_COLOR="${NO_COLOR:-}"

bold() { if [[ -t 1 ]]; then printf '\n\033[1m%s\033[0m\n' "$*"; else printf '\n%s\n' "$*"; fi; }
run() {
  bold "\$ xcert $*"
  "$xcert" "$@"
}
# Runs xcert and checks its exit code.
expect() {
  local want=$1 rc=0
  shift
  bold "\$ xcert $*    # expected exit $want"
  "$xcert" "$@" || rc=$?
  if [[ $rc != "$want" ]]; then
    echo "error: expected xcert $1 to exit $want, got $rc" >&2
    exit 1
  fi
}
# verify until it exits $1 (a reloaded nginx or Postfix switches workers a
# moment after its reload command returns), then once more for the record.
verify_until() {
  local want=$1 i
  for i in $(seq 50); do
    rc=0
    "$xcert" verify >/dev/null 2>&1 || rc=$?
    [[ $rc == "$want" ]] && break
    sleep 0.2
  done
  expect "$want" verify
}

# --- what it needs ----------------------------------------------------------
if [[ $(id -u) != 0 ]]; then
  echo "error: Postfix and Dovecot need root (they drop privileges to their own users);" >&2
  echo "       run: sudo $0   (in a container or VM you do not mind)" >&2
  exit 1
fi
PATH=$PATH:/usr/sbin:/sbin
for program in nginx postfix dovecot doveadm openssl; do
  command -v "$program" >/dev/null ||
    { echo "error: $program is missing; apt-get install nginx postfix dovecot-imapd dovecot-pop3d openssl" >&2; exit 1; }
done
for f in /usr/lib/postfix/sbin/master /usr/lib/dovecot/imap-login /usr/lib/dovecot/pop3-login; do
  [[ -x $f ]] || { echo "error: $f is missing; apt-get install postfix dovecot-imapd dovecot-pop3d" >&2; exit 1; }
done
ports=(18443 18025 18143 18993 18110 18995)
for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "error: 127.0.0.1:$port is in use (another run still going?); stop it, or change probe.ports in xcert.yaml and this script" >&2
    exit 1
  fi
done

# --- 1. the demo CA and the certificate it sells ----------------------------
opensslcnf() { printf '[req]\ndistinguished_name = dn\n[dn]\n'; }
if [[ ! -f ca/root.pem ]]; then
  bold "# making the demo CA in ./ca (a root and an intermediate, once)"
  mkdir -p ca && chmod 700 ca
  (
    umask 077
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -config <(opensslcnf) -subj "/CN=Demo Root CA" -days 3650 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout ca/root.key -out ca/root.pem 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -config <(opensslcnf) \
      -subj "/CN=Demo Issuing CA" -keyout ca/intermediate.key -out ca/intermediate.csr 2>/dev/null
    openssl x509 -req -in ca/intermediate.csr -CA ca/root.pem -CAkey ca/root.key \
      -CAserial ca/root.srl -CAcreateserial -days 3000 \
      -extfile <(printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" \
        "keyUsage=critical,keyCertSign,cRLSign" "subjectKeyIdentifier=hash" \
        "authorityKeyIdentifier=keyid") -out ca/intermediate.pem 2>/dev/null
  )
  chmod 644 ca/root.pem ca/intermediate.pem
fi
# A new key and certificate for mail.example.test and autodiscover, valid 90
# days, from the intermediate: what a renewal from a vendor looks like.
buy() {
  local work
  work=$(mktemp -d)
  (
    umask 077
    mkdir -p certs
    openssl req -new -newkey rsa:2048 -nodes -config <(opensslcnf) \
      -subj "/CN=mail.example.test" -keyout "$work/mail.key" -out "$work/mail.csr" 2>/dev/null
    openssl x509 -req -in "$work/mail.csr" -CA ca/intermediate.pem -CAkey ca/intermediate.key \
      -CAserial ca/intermediate.srl -CAcreateserial -days 90 \
      -extfile <(printf '%s\n' "basicConstraints=CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
        "subjectAltName=DNS:mail.example.test,DNS:autodiscover.example.test" \
        "authorityKeyIdentifier=keyid" "subjectKeyIdentifier=hash") \
      -out "$work/mail.pem" 2>/dev/null
    mv "$work/mail.key" certs/mail.key
    mv "$work/mail.pem" certs/mail.pem
  )
  rm -rf "$work"
  printf 'bought %s\n' "$(openssl x509 -in certs/mail.pem -noout -fingerprint -sha1 | cut -d= -f2 | tr -d :)"
}
if [[ ! -f certs/mail.pem ]]; then
  bold "# buying mail.example.test from the demo CA -> certs/mail.pem"
  buy
fi

# --- 2. the store and its service files --------------------------------------
rm -f run/hook-broken
run validate
if [[ ! -d store/MailServer21 ]]; then
  run store init --store ./store --server MailServer21 --fqdn mailserver21.example.test \
    --roles Mailbox --version 2019 --domain example.test
fi
# The servers do not run yet, so there is nothing to verify: --no-verify.
# (From then on apply probes MailServer21 after each change, because it has
# an address, and rolls back a change the servers do not serve.)
run apply --auto-approve --no-verify
bold "\$ ls -l store/MailServer21/services/*"
ls -l store/MailServer21/services/*

# --- 3. real servers on loopback, reading the store --------------------------
svc=$here/store/MailServer21/services
mkdir -p run
pids=()
stop_servers() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_servers EXIT
# Starts "$@" in its own process group (stopped by PID when the script ends).
start() {
  local log=$1
  shift
  setsid "$@" >"$log" 2>&1 &
  pids+=($!)
}
wait_port() {
  local i
  for i in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "error: nothing listens on 127.0.0.1:$1; see the logs in run/" >&2
  exit 1
}

bold "# starting nginx (:18443), Postfix (:18025), Dovecot (:18143 :18993 :18110 :18995) in ./run"
rm -rf run/nginx run/postfix run/dovecot
mkdir -p run/nginx/tmp
cat >run/nginx/nginx.conf <<CONF
daemon off;
pid $here/run/nginx/nginx.pid;
error_log $here/run/nginx/error.log notice;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $here/run/nginx/tmp/body;
  proxy_temp_path $here/run/nginx/tmp/proxy;
  fastcgi_temp_path $here/run/nginx/tmp/fastcgi;
  uwsgi_temp_path $here/run/nginx/tmp/uwsgi;
  scgi_temp_path $here/run/nginx/tmp/scgi;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:18443 ssl default_server;
    server_name mail.example.test autodiscover.example.test;
    ssl_certificate     $svc/IIS/fullchain.pem;
    ssl_certificate_key $svc/IIS/key.pem;
    return 200 "Outlook on the web would be here\n";
  }
}
CONF
start run/nginx/stdout.log nginx -e "$here/run/nginx/error.log" -p "$here/run/nginx" -c "$here/run/nginx/nginx.conf"

# Postfix as its own instance: private configuration, queue and data folders
# owned as Postfix requires.
pf=$here/run/postfix
mkdir -p "$pf/conf" "$pf/queue/pid"
for d in active bounce corrupt defer deferred flush hold incoming saved trace private; do
  install -d -o postfix -m 700 "$pf/queue/$d"
done
install -d -o postfix -g postdrop -m 730 "$pf/queue/maildrop"
install -d -o postfix -g postdrop -m 710 "$pf/queue/public"
install -d -o postfix -m 700 "$pf/data"
cat >"$pf/conf/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mail.example.test
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
biff = no
maillog_file = $pf/postfix.log
maillog_file_prefixes = $pf
smtpd_tls_security_level = may
smtpd_tls_chain_files = $svc/SMTP/key.pem, $svc/SMTP/fullchain.pem
CONF
cat >"$pf/conf/master.cf" <<'CONF'
127.0.0.1:18025 inet n - n - - smtpd
postlog unix-dgram n - n - 1 postlogd
anvil unix - - n - 1 anvil
proxymap unix - - n - - proxymap
tlsmgr unix - - n 1000? 1 tlsmgr
CONF
start "$pf/stdout.log" /usr/lib/postfix/sbin/master -c "$pf/conf" -d

dv=$here/run/dovecot
mkdir -p "$dv/r" "$dv/state"
cat >"$dv/dovecot.conf" <<CONF
base_dir = $dv/r
state_dir = $dv/state
log_path = $dv/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
mail_location = maildir:$dv/mail/%u
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$dv/home/%u
}
ssl = yes
ssl_cert = <$svc/IMAP/fullchain.pem
ssl_key = <$svc/IMAP/key.pem
protocol imap {
  ssl_cert = <$svc/IMAP/fullchain.pem
  ssl_key = <$svc/IMAP/key.pem
}
protocol pop3 {
  ssl_cert = <$svc/POP/fullchain.pem
  ssl_key = <$svc/POP/key.pem
}
service imap-login {
  inet_listener imap {
    port = 18143
  }
  inet_listener imaps {
    port = 18993
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 18110
  }
  inet_listener pop3s {
    port = 18995
    ssl = yes
  }
}
CONF
# The folders on the way to the store must be traversable by the servers'
# workers (Dovecot's login processes read nothing, but its config does).
start "$dv/stdout.log" dovecot -F -c "$dv/dovecot.conf"
for port in "${ports[@]}"; do wait_port "$port"; done

verify_until 0

# --- 4. a renewal, reloaded by the hook, verified by apply -------------------
bold "# the renewal arrives (a new key and certificate in certs/)"
buy
run apply --auto-approve
verify_until 0

# --- 5. the hook breaks: apply rolls back --------------------------------------
bold "# the reload hook breaks: it exits 0 but reloads nothing (run/hook-broken)"
touch run/hook-broken
buy
# The store binds the new certificate, the servers keep serving the old one:
# apply's verification fails after probe.grace, and it puts the old
# certificate back on every service (exit 1).
expect 1 apply --auto-approve
expect 0 verify
# The manifest still asks for the new certificate.
expect 2 drift
run history

# --- 6. fixed -----------------------------------------------------------------
bold "# the hook is fixed: apply again"
rm -f run/hook-broken
run apply --auto-approve
verify_until 0

# --- 7. restore the run before last --------------------------------------------
# The renewal of step 6 turns out to be wrong (say, the vendor revoked it):
# put the servers back as they were before it, with the certificate of step 4.
last=$("$xcert" history --format json | sed -n 's/^ *"id": "\(.*\)",$/\1/p' | tail -n1)
run restore "$last" --auto-approve
verify_until 0
expect 2 drift
bold "# done: verify passes again. The servers stop now; ./run.sh runs it all again."
