#!/usr/bin/env bash
# Lists under load against a running Linli demo (loopback only): a staff member's open tasks
# (GET /api/v1/me/tasks, 张师傅) and a resident's requests (GET /api/v1/me/work-orders, the demo owner),
# with the demo's six months of work orders. wrk, 2 threads, C connections, D seconds each.
# Usage: scripts/load-work-orders.sh [base-url] [connections] [seconds] [staff-phone]
set -euo pipefail
BASE=${1:-http://127.0.0.1:8080}; CONNECTIONS=${2:-50}; DURATION=${3:-15}; STAFF_PHONE=${4:-13800000011}
case "$BASE" in http://127.*|http://localhost*|http://\[::1\]*) ;; *) echo "loopback only" >&2; exit 2 ;; esac
token() {
  curl -fsS -X POST "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"phone\":\"$1\",\"password\":\"linli-demo\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
STAFF=$(token "$STAFF_PHONE"); RESIDENT=$(token 13900000001)
for target in "tasks $STAFF" "work-orders $RESIDENT"; do
  set -- $target
  echo "GET /api/v1/me/$1: $(curl -fsS -H "Authorization: Bearer $2" "$BASE/api/v1/me/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["metadata"]["total"], "items")')"
  wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $2" "$BASE/api/v1/me/$1" \
    | grep -E 'Requests/sec|50%|90%|99%|Non-2xx|Socket'
done
