#!/usr/bin/env bash
# Load test of POST /api/v1/qa/ask against a running Linli (loopback only): the demo resident asks
# questions in their own words, cycling through a list, each answered from the community's knowledge base
# and recorded. Usage: scripts/load-ask.sh [base-url] [phone] [connections]
# Needs wrk (apt-get install wrk). Prints wrk's latency distribution and requests/s.
set -euo pipefail
BASE=${1:-http://127.0.0.1:8080}
PHONE=${2:-13900000001}
CONNECTIONS=${3:-20}
case "$BASE" in http://127.*|http://localhost*|http://\[::1\]*) ;; *) echo "loopback only" >&2; exit 2 ;; esac
TOKEN=$(curl -fsS -X POST "$BASE/api/v1/auth/token" -H 'content-type: application/json' \
  -d "{\"phone\":\"$PHONE\",\"password\":\"linli-demo\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
SCRIPT=$(mktemp --suffix=.lua)
trap 'rm -f "$SCRIPT"' EXIT
cat > "$SCRIPT" <<'LUA'
local questions = {
  "物业费一平方米多少钱", "楼上装修太吵了怎么办", "怎么申请低保", "房东不退押金怎么办",
  "我爸妈老了儿子不给生活费", "楼道里能给电动车充电吗", "小区车位能卖给外面的人吗", "维修资金怎么用",
  "独居老人有人照顾吗", "高空抛物砸坏了车谁赔", "物业可以停水催物业费吗", "居委会几点上班",
}
local n = 0
request = function()
  n = n + 1
  local body = '{"question":"' .. questions[(n % #questions) + 1] .. '"}'
  return wrk.format("POST", "/api/v1/qa/ask",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("LINLI_TOKEN")}, body)
end
LUA
LINLI_TOKEN="$TOKEN" wrk -t2 -c"$CONNECTIONS" -d10s --latency -s "$SCRIPT" "$BASE"
