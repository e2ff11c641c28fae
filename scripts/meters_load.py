#!/usr/bin/env python3
"""Water, power and bills on a running `linli demo` (loopback only):

- the usage read under load: THREADS residents' requests at once for SECONDS against
  `GET /api/v1/me/households/{id}/usage` (water and electricity in turn) of the demo owner's 1栋101 —
  six months of hourly readings on two meters, and the comparison reading the ten metered homes of 1栋 —
  and the same for the page `/usage` is left to the browser tests;
- bill generation: the operator issues the six finished months before this one (the demo has issued the
  last three), timed month by month, then all six again (a rerun must issue 0).

Usage: scripts/meters_load.py [URL] [threads] [seconds]
"""
import json
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request

URL = (sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080").rstrip("/")
THREADS = int(sys.argv[2]) if len(sys.argv) > 2 else 16
SECONDS = float(sys.argv[3]) if len(sys.argv) > 3 else 20
if not URL.startswith(("http://127.", "http://localhost", "http://[::1]")):
    sys.exit("loopback only")


def call(method, path, body=None, token=None):
    request = urllib.request.Request(URL + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null"), (time.perf_counter() - started) * 1000
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), (time.perf_counter() - started) * 1000


def figures(name, ms):
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<28} n={len(ms):<5} p50 {statistics.median(ms):7.1f} ms  p99 {p99:7.1f} ms  max {ms[-1]:7.1f} ms")


def load(token, home):
    times, errors, stop = [], [], time.time() + SECONDS
    lock = threading.Lock()

    def worker(index):
        kinds = ["water", "electricity"]
        n = index
        while time.time() < stop:
            status, body, ms = call("GET", f"/api/v1/me/households/{home}/usage?kind={kinds[n % 2]}", token=token)
            n += 1
            with lock:
                (times if status == 200 else errors).append(ms if status == 200 else status)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    started = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    figures(f"usage, {THREADS} at once", times)
    print(f"{len(times) / (time.time() - started):.1f} reads/s, errors: {len(errors)} {sorted(set(errors))[:5]}")


def bills(token, community):
    from datetime import date
    today = date.today()
    periods = []
    y, m = today.year, today.month
    for _ in range(6):
        m -= 1
        if m == 0:
            y, m = y - 1, 12
        periods.insert(0, f"{y:04d}-{m:02d}")
    total = 0
    started = time.perf_counter()
    for period in periods:
        status, body, ms = call("POST", f"/api/v1/communities/{community}/bills/issue", {"period": period}, token)
        print(f"issue {period}: {status} {body} in {ms / 1000:.2f} s")
        total += body.get("issued", 0) if isinstance(body, dict) else 0
    print(f"six months: {total} bills issued in {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    again = sum(call("POST", f"/api/v1/communities/{community}/bills/issue", {"period": p}, token)[1].get("issued", 0)
                for p in periods)
    print(f"rerun of the six months: {again} issued in {time.perf_counter() - started:.2f} s")


def main():
    owner = call("POST", "/api/v1/auth/token", {"phone": "13900000001", "password": "linli-demo"})[1]["token"]
    home = call("GET", "/api/v1/me", token=owner)[1]["households"][0]["householdID"]
    load(owner, home)
    operator = call("POST", "/api/v1/auth/token", {"phone": "13800000000", "password": "linli-demo"})[1]["token"]
    community = [c for c in call("GET", "/api/v1/communities", token=operator)[1]["items"] if c["name"] == "礼嘉智慧小区"][0]
    bills(operator, community["id"])


if __name__ == "__main__":
    main()
