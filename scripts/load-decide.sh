#!/usr/bin/env bash
# End-to-end face decisions over HTTP on loopback: a gallery of N synthetic faces (linli seed-faces) in a
# fresh demo, a face gate terminal, and wrk with C concurrent connections posting random 512-dim probes
# (each scans the whole gallery; every event id is new, so each request is a full decision and a log row).
# Usage: scripts/load-decide.sh [faces] [connections] [seconds]   (defaults 20000 100 20)
set -euo pipefail
FACES=${1:-20000}; CONNECTIONS=${2:-100}; DURATION=${3:-20}
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/.." && pwd)
BIN=${LINLI_BIN:-$ROOT/.build/release/linli}
WORK=$(mktemp -d /tmp/linli-decide.XXXXXX); cd "$WORK"
PORT=18200; while (echo >/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; do PORT=$((PORT + 1)); done
export LINLI_ROOT="$ROOT" LOG_LEVEL=warning LINLI_DATABASE="$WORK/linli-demo.sqlite"
"$BIN" demo --reset --no-simulate --port "$PORT" > demo.log 2>&1 & PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
"$BIN" seed-faces --community 礼嘉智慧小区 --count "$FACES" > /dev/null
BASE="http://127.0.0.1:$PORT"
OP=$(curl -fsS -X POST "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
  -d '{"phone":"13800000000","password":"linli-demo"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
C=$(curl -fsS -H "Authorization: Bearer $OP" "$BASE/api/v1/communities" | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin)["items"] if c["name"]=="礼嘉智慧小区"][0])')
TERMINAL=$(curl -fsS -X POST "$BASE/api/v1/communities/$C/devices" -H "Authorization: Bearer $OP" -H 'content-type: application/json' \
  -d '{"type":"face_gate","name":"压测闸机"}' | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["device"]["id"], d["token"])')
set -- $TERMINAL
GATE=$(curl -fsS -X POST "$BASE/api/v1/communities/$C/gates" -H "Authorization: Bearer $OP" -H 'content-type: application/json' \
  -d "{\"name\":\"压测门\",\"kind\":\"main\",\"deviceIDs\":[\"$1\"]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
curl -fsS -X PUT "$BASE/api/v1/communities/$C/access-settings" -H "Authorization: Bearer $OP" -H 'content-type: application/json' \
  -d '{"serverMatching":true}' > /dev/null
echo "gallery: $FACES faces; first decision (loads and decrypts the gallery):"
PROBE=$(python3 -c 'import random; print(",".join("%.4f" % random.uniform(-1, 1) for _ in range(512)))')
curl -s -w ' %{http_code} %{time_total}s\n' -X POST "$BASE/api/v1/devices/access/decide" -H "Authorization: Bearer $2" \
  -H 'content-type: application/json' -d "{\"gate\":\"$GATE\",\"method\":\"face\",\"model\":\"load-512\",\"liveness\":0.99,\"vector\":[$PROBE],\"eventId\":\"warm\"}"
[ -n "${HOLD:-}" ] && { echo "GATE=$GATE TOKEN=$2 PORT=$PORT PID=$PID" > "$HOLD"; sleep 100000; }
GATE=$GATE TOKEN=$2 wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$HERE/decide.lua" "$BASE"
