#!/bin/sh
# Measures `xcert show --format json` over 10,000 certificates on 2,000
# servers against the OpenSSL parsing limit, and List's cost per certificate.
#   tests/resources/store/bench/run_bench.sh BUILD_DIR (a Release build with target xcert)
set -eu
SRC=$(cd "$(dirname "$0")/../../../.." && pwd)
BUILD=$(cd "${1:?usage: run_bench.sh BUILD_DIR}" && pwd)
WORK=${TMPDIR:-/tmp}/xcert-bench.$$
mkdir -p "$WORK"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
LIBS="$BUILD/libxcert_store.a $BUILD/libxcert_apply.a $BUILD/libxcert_plan.a $BUILD/libxcert_x509.a $BUILD/libxcert_model.a $BUILD/libxcert_util.a"
for p in make_fleet_store list_cost; do
  c++ -O2 -std=c++20 -I"$SRC" "$SRC/tests/resources/store/bench/$p.cc" $LIBS -lspdlog -lfmt -lcrypto -lpthread -o "$WORK/$p"
done
c++ -O2 -std=c++20 "$SRC/tests/resources/store/bench/openssl_limit.cc" -lcrypto -o "$WORK/openssl_limit"
"$WORK/make_fleet_store" "$WORK/store" 2000
cat "$WORK"/store/*/certificates/*/cert.pem > /dev/null  # warm the page cache
"$WORK/openssl_limit" "$WORK/store"
"$WORK/list_cost" "$WORK/store"
for threads in 1 2; do
  start=$(date +%s%N)
  "$BUILD/xcert" show --store "$WORK/store" --format json --parallelism $threads > "$WORK/show.json"
  end=$(date +%s%N)
  echo "xcert show --format json ($threads thread(s)): $(( (end - start) / 1000000 )) ms, $(wc -c < "$WORK/show.json") bytes"
done
