#!/usr/bin/env bash
# Telemetry ingest load: readings/s accepted over HTTP with batches of 1 and of 100, and beside them,
# in the same run, a plain SQLite bulk insert of the same rows in batches of 100.
# Usage: scripts/load-telemetry.sh [base-url] [devices] [seconds]
#   (defaults: http://127.0.0.1:8080, 200 devices, 15 s; the server must have provisioning open with
#    the demo key linli-demo / linli-demo-secret, as `linli demo` has). Needs wrk and curl. Loopback only.
set -euo pipefail
BASE=${1:-http://127.0.0.1:8080}
DEVICES=${2:-200}
SECONDS_PER_RUN=${3:-15}
case "$BASE" in http://127.*|http://localhost*|http://\[::1\]*) ;; *) echo "loopback only" >&2; exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
TOKENS=$(mktemp /tmp/linli-tokens.XXXXXX)
RUN=$(date +%s%N | cut -c1-13)
for i in $(seq 1 "$DEVICES"); do
  curl -fsS -X POST "$BASE/api/v1/provision" -H 'content-type: application/json' \
    -d "{\"deviceName\":\"load-$RUN-$i\",\"provisionDeviceKey\":\"linli-demo\",\"provisionDeviceSecret\":\"linli-demo-secret\",\"deviceType\":\"generic_sensor\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["credentialsValue"])' >> "$TOKENS"
done
echo "provisioned $DEVICES generic sensors"
for BATCH in 1 100; do
  CONNECTIONS=$([ "$BATCH" = 1 ] && echo 128 || echo 32)
  echo "--- batch $BATCH, $CONNECTIONS connections, ${SECONDS_PER_RUN}s"
  TOKENS_FILE="$TOKENS" BATCH=$BATCH TS_BASE=$((RUN - 86400000 * (BATCH == 1 ? 2 : 1))) \
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$HERE/telemetry.lua" "$BASE"
done
echo "--- baseline"
python3 "$HERE/sqlite_bulk_insert.py" --rows 200000 --batch 100
rm -f "$TOKENS"
