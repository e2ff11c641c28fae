#!/usr/bin/env bash
# Load test of GET /api/v1/me against a running Linli (loopback only).
# Usage: scripts/load-me.sh [base-url] [phone]   (defaults: http://127.0.0.1:8080, the demo resident)
# Needs wrk (apt-get install wrk). Prints wrk's latency distribution and requests/s.
set -euo pipefail
BASE=${1:-http://127.0.0.1:8080}
PHONE=${2:-13900000001}
case "$BASE" in http://127.*|http://localhost*|http://\[::1\]*) ;; *) echo "loopback only" >&2; exit 2 ;; esac
TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"phone\":\"$PHONE\",\"password\":\"linli-demo\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
wrk -t2 -c50 -d10s --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me"
