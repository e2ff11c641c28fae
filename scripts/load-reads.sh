#!/usr/bin/env bash
# Authenticated reads against /healthz in the same run (loopback only): wrk -t2 -c50 on /healthz, then on
# /api/v1/me, /api/v1/me/notices, /api/v1/me/work-orders, /api/v1/me/tasks (the demo's property staff) and
# the resident home page (a browser session), one line each: requests/s, ratio to /healthz, p50, p99.
# Usage: scripts/load-reads.sh [base-url] [seconds]   (defaults: http://127.0.0.1:8080, 10)
# Needs wrk, curl and python3. The demo's resident 13900000001 and staff 13800000001, password linli-demo.
set -euo pipefail
BASE=${1:-http://127.0.0.1:8080}
SECS=${2:-10}
case "$BASE" in http://127.*|http://localhost*|http://\[::1\]*) ;; *) echo "loopback only" >&2; exit 2 ;; esac
token() {
  curl -fsS -X POST "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
    -d "{\"phone\":\"$1\",\"password\":\"linli-demo\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
RESIDENT=$(token 13900000001)
STAFF=$(token 13800000001)
JAR=$(mktemp /tmp/linli-jar.XXXXXX)
CSRF=$(curl -fsS -c "$JAR" -b "$JAR" "$BASE/login" | python3 -c 'import re,sys; print(re.search(r"name=\"_csrf\" value=\"([^\"]+)\"", sys.stdin.read()).group(1))')
curl -fsS -o /dev/null -c "$JAR" -b "$JAR" -X POST "$BASE/login" \
  --data-urlencode "_csrf=$CSRF" --data-urlencode "phone=13900000001" --data-urlencode "password=linli-demo"
SESSION=$(awk '$6 == "linli_session" { print $7 }' "$JAR")
rm -f "$JAR"
run() {  # name, path, header
  local out
  out=$(wrk -t2 -c50 -d"${SECS}s" --latency ${3:+-H "$3"} "$BASE$2")
  python3 - "$1" "$out" "${HEALTHZ:-0}" <<'PY'
import re, sys
name, out, base = sys.argv[1], sys.argv[2], float(sys.argv[3])
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
def pct(p):
    m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)" % p, out)
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
ratio = f"{rate / base:.2f}x" if base else "1.00x"
print(f"{name:28s} {rate:9.1f} req/s  {ratio:>6s}  p50 {pct(50):7.2f} ms  p99 {pct(99):7.2f} ms"
      + (f"  NON-2XX {errors.group(1)}" if errors else ""))
PY
}
HEALTHZ=$(wrk -t2 -c50 -d"${SECS}s" "$BASE/healthz" | awk '/Requests\/sec/ { print $2 }')
echo "/healthz                     $HEALTHZ req/s"
export HEALTHZ
run "GET /api/v1/me" /api/v1/me "Authorization: Bearer $RESIDENT"
run "GET /api/v1/me/notices" /api/v1/me/notices "Authorization: Bearer $RESIDENT"
run "GET /api/v1/me/work-orders" /api/v1/me/work-orders "Authorization: Bearer $RESIDENT"
run "GET /api/v1/me/tasks (staff)" /api/v1/me/tasks "Authorization: Bearer $STAFF"
run "GET / (resident home page)" / "Cookie: linli_session=$SESSION"
