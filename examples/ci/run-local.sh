#!/usr/bin/env bash
# The pipelines of this folder, run on this machine as their jobs would run:
# a PostgreSQL on loopback for the lock, the fleet of xcert.yaml in a local
# store, then
#   merge request:  xcert validate; xcert plan --format markdown
#   default branch: the 4 apply jobs (GitLab parallel: 4), each holding the
#                   PostgreSQL locks of its servers only, released after
#   schedule:       4 drift jobs, report merge (in sync), a manifest change,
#                   drift again (exit 2, naming what differs), and a merge
#                   with one shard's report missing (exit 1)
# Usage: XCERT=build/xcert examples/ci/run-local.sh   (exit 77: skipped)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
xcert=$(realpath "${XCERT:-$here/../../build/xcert}")
initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || true)
if [[ -z $initdb ]]; then
  echo "skipped: PostgreSQL is not installed (scripts/setup --test installs it)"
  exit 77
fi
pgbin=$(dirname "$initdb")
work=$(mktemp -d)
pg_pid=
cleanup() {
  [[ -n $pg_pid ]] && kill "$pg_pid" 2>/dev/null && wait "$pg_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '\n== %s\n' "$*"; }

# PostgreSQL refuses to run as root: then it runs as Debian's postgres user.
as_pg=()
if [[ $(id -u) == 0 ]]; then
  as_pg=(setpriv --reuid=postgres --regid=postgres --clear-groups --)
  chmod 755 "$work"
  mkdir "$work/pg" && chown postgres:postgres "$work/pg"
fi
"${as_pg[@]}" "$pgbin/initdb" -D "$work/pg/data" -U xcert --auth=trust >"$work/initdb.log" 2>&1
for attempt in 1 2 3; do
  port=$((20000 + RANDOM % 30000))
  "${as_pg[@]}" "$pgbin/postgres" -D "$work/pg/data" -p "$port" -c listen_addresses=127.0.0.1 \
    -c unix_socket_directories= -c fsync=off >"$work/postgres.log" 2>&1 &
  pg_pid=$!
  for _ in $(seq 50); do
    "$pgbin/psql" -h 127.0.0.1 -p "$port" -U xcert -d postgres -Atc 'select 1' >/dev/null 2>&1 && break 2
    kill -0 "$pg_pid" 2>/dev/null || break
    sleep 0.2
  done
  kill "$pg_pid" 2>/dev/null || true
  pg_pid=
done
[[ -n $pg_pid ]] || { cat "$work/postgres.log"; echo "PostgreSQL did not start" >&2; exit 1; }
export XCERT_LOCK_DSN="host=127.0.0.1 port=$port user=xcert dbname=postgres"
export XCERT_BACKUP_PASSWORD=run-local-backup-password
unset CI_NODE_INDEX CI_NODE_TOTAL JOB_COMPLETION_INDEX XCERT_SHARD_TOTAL

cp "$here/xcert.yaml" "$work/"
cd "$work"
"$xcert" store init -f xcert.yaml >/dev/null

say "merge request: validate and plan"
"$xcert" validate
rc=0; "$xcert" plan --detailed-exitcode --format markdown >plan.md || rc=$?
[[ $rc == 2 ]] || { echo "plan: expected exit 2 (changes), got $rc" >&2; exit 1; }
head -3 plan.md

say "default branch: the 4 apply shards"
# One after another here: on one machine the local store takes one writer at
# a time (its file lock). Runners on separate machines, each with its own
# state folder, run them at once; the PostgreSQL lock keeps each server to
# one of them.
for k in 1 2 3 4; do
  CI_NODE_INDEX=$k CI_NODE_TOTAL=4 "$xcert" apply --auto-approve >"apply-$k.log" 2>&1 ||
    { tail -n 20 "apply-$k.log"; echo "apply shard $k/4 failed" >&2; exit 1; }
  grep -h "^shard" "apply-$k.log"
done
locks=$("$pgbin/psql" -h 127.0.0.1 -p "$port" -U xcert -d postgres -Atc \
  "select count(*) from pg_locks where locktype = 'advisory'")
[[ $locks == 0 ]] || { echo "PostgreSQL still holds $locks advisory locks" >&2; exit 1; }

say "schedule: 4 drift shards, merged"
for k in 1 2 3 4; do
  rc=0; CI_NODE_INDEX=$k CI_NODE_TOTAL=4 "$xcert" drift --format json >"drift-$k.json" || rc=$?
  [[ $rc == 0 ]] || { echo "drift shard $k: expected 0 (in sync), got $rc" >&2; exit 1; }
done
"$xcert" report merge drift-*.json

say "site B gets a second name (a manifest change not applied yet); the next scheduled drift"
sed -i 's/dnsNames: \[mail-b.contoso.example\]/dnsNames: [mail-b.contoso.example, owa-b.contoso.example]/' xcert.yaml
grep -q owa-b xcert.yaml
for k in 1 2 3 4; do
  CI_NODE_INDEX=$k CI_NODE_TOTAL=4 "$xcert" drift --format json >"drift-$k.json" || true
done
rc=0; "$xcert" report merge drift-*.json --format junit >drift.xml || rc=$?
[[ $rc == 2 ]] || { echo "report merge: expected exit 2 (drift), got $rc" >&2; exit 1; }
grep -o '<failure type="drift" message="[^"]*"' drift.xml

say "a shard's job died: its report is missing"
rm drift-3.json
rc=0; "$xcert" report merge drift-*.json >/dev/null || rc=$?
[[ $rc == 1 ]] || { echo "report merge: expected exit 1 (a shard missing), got $rc" >&2; exit 1; }
echo "ok: the pipelines ran as shards over $("$pgbin/psql" -h 127.0.0.1 -p "$port" -U xcert -d postgres -Atc 'select version()' | cut -d' ' -f1-2)"
