#!/usr/bin/env python3
"""Operations analytics at scale, on PostgreSQL:

- `linli analytics-bench` fills the database with COMMUNITIES synthetic communities (200 homes each) and a
  year of their activity, and times the roll-ups (the job's work for a day of data; the backfill);
- a `linli serve` on the same database then answers REQUESTS summaries over HTTP, one at a time, for a
  random bench community and alternately the last 365 and the last 30 days; prints p50/p90/p99/max of each,
  and of the side-by-side view of twelve communities.

Usage: LINLI_BIN=.build/release/linli LINLI_ROOT=. DATABASE_URL=postgres://… scripts/analytics_bench.py [communities=100] [requests=200]
"""
import datetime
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

COMMUNITIES = int(sys.argv[1]) if len(sys.argv) > 1 else 100
REQUESTS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
BIN = os.environ.get("LINLI_BIN", ".build/release/linli")
DATABASE = os.environ["DATABASE_URL"]
if not any(host in DATABASE for host in ("@127.0.0.1", "@localhost", "@[::1]")):
    sys.exit("loopback databases only")


def call(url, token):
    request = urllib.request.Request(url, headers={"authorization": "Bearer " + token})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            body = response.read()
            return response.status, json.loads(body), (time.perf_counter() - started) * 1000
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), (time.perf_counter() - started) * 1000


def figures(name, ms):
    ms = sorted(ms)
    def q(p):
        return ms[min(len(ms) - 1, max(0, int(round(p * len(ms))) - 1))]
    print(f"{name:<34} n={len(ms):<4} p50 {statistics.median(ms):7.1f} ms  p90 {q(0.9):7.1f} ms  p99 {q(0.99):7.1f} ms  max {ms[-1]:7.1f} ms")


def main():
    env = dict(os.environ, LINLI_ROOT=os.environ.get("LINLI_ROOT", "."))
    seeded = subprocess.run([BIN, "analytics-bench", "--communities", str(COMMUNITIES)], env=env, capture_output=True, text=True)
    lines = [line for line in seeded.stdout.splitlines() if not line.startswith("[")]
    if seeded.returncode != 0:
        print(seeded.stdout[-3000:], seeded.stderr[-3000:])
        sys.exit("analytics-bench failed")
    token = next(line.split("token: ", 1)[1] for line in lines if line.startswith("token: "))
    for line in lines:
        if not line.startswith("token: "):
            print(line)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([BIN, "serve", "--hostname", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=2)
                break
            except Exception:
                time.sleep(0.5)
        status, listed, _ = call(base + "/api/v1/communities?per=100", token)
        ids = [c["id"] for c in listed["items"] if c["name"].startswith("基准社区")]
        print(f"serving {len(ids)} bench communities")
        today = datetime.date.today()
        periods = {"365 days": (today - datetime.timedelta(days=364), today), "30 days": (today - datetime.timedelta(days=29), today)}
        random.seed(20261205)
        for community in ids[:3]:  # warm-up
            call(f"{base}/api/v1/communities/{community}/analytics/summary", token)
        times = {name: [] for name in periods}
        for n in range(REQUESTS):
            name = list(periods)[n % 2]
            start, end = periods[name]
            status, body, ms = call(f"{base}/api/v1/communities/{random.choice(ids)}/analytics/summary?from={start}&to={end}", token)
            if status != 200:
                sys.exit(f"summary answered {status}: {body}")
            times[name].append(ms)
        for name, ms in times.items():
            figures(f"summary, {name}", ms)
        side = []
        for _ in range(5):
            status, body, ms = call(f"{base}/api/v1/me/analytics?from={periods['30 days'][0]}&to={today}", token)
            if status != 200:
                sys.exit(f"side by side answered {status}: {body}")
            side.append(ms)
        figures(f"side by side, {len(body['communities'])} communities, 30 days", side)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
