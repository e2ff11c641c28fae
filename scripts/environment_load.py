#!/usr/bin/env python3
"""The smart environment's cost on a running `linli demo` (its SQLite file named as DB):

- adds ZONES irrigation zones (a valve and a soil sensor each) and BINS bins, each bin with 28 days of
  hourly fill history posted in one batch;
- waters every zone by hand (`POST …/run`), each valve confirming through the device API, and times those;
- times the console's reads: the zones (`GET …/irrigation/zones?per=100`) and the bins (`GET …/bins?per=100`,
  each bin's forecast from its roll-ups);
- waits WAIT seconds and reads from the database how long the durable jobs took: `irrigation.tick`
  (every zone, every 15 s) and `bins.forecast` (every bin, every 10 min; run here once by waiting).

Usage: scripts/environment_load.py URL DB [zones] [bins] [wait]
"""
import json
import sqlite3
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid

URL = sys.argv[1].rstrip("/")
DB = sys.argv[2]
ZONES = int(sys.argv[3]) if len(sys.argv) > 3 else 50
BINS = int(sys.argv[4]) if len(sys.argv) > 4 else 200
WAIT = int(sys.argv[5]) if len(sys.argv) > 5 else 60


def call(method, path, body=None, token=None):
    request = urllib.request.Request(URL + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            data = json.loads(response.read() or b"null")
            return response.status, data, (time.perf_counter() - started) * 1000
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), (time.perf_counter() - started) * 1000


def figures(name, ms):
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<34} n={len(ms):<4} p50 {statistics.median(ms):7.1f} ms  p99 {p99:7.1f} ms  max {ms[-1]:7.1f} ms")


def main():
    token = call("POST", "/api/v1/auth/token", {"phone": "13800000000", "password": "linli-demo"})[1]["token"]
    community = [c for c in call("GET", "/api/v1/communities", token=token)[1]["items"] if c["name"] == "礼嘉智慧小区"][0]
    c = f"/api/v1/communities/{community['id']}"
    tag = uuid.uuid4().hex[:6]
    zones, valves = [], []
    for i in range(ZONES):
        valve = call("POST", c + "/devices", {"type": "irrigation_valve", "name": f"负载阀门{tag}-{i}"}, token)[1]
        sensor = call("POST", c + "/devices", {"type": "soil_sensor", "name": f"负载土壤{tag}-{i}"}, token)[1]
        call("POST", f"/api/v1/{valve['token']}/telemetry", {"valve_open": False})
        call("POST", f"/api/v1/{sensor['token']}/telemetry", {"soil_moisture": 20})
        status, zone, _ = call("POST", c + "/irrigation/zones", {
            "name": f"负载区{tag}-{i}", "valveID": valve["device"]["id"], "sensorIDs": [sensor["device"]["id"]],
            "maxRunMinutes": 30}, token)
        assert status == 201, zone
        zones.append(zone)
        valves.append(valve)
    now = int(time.time() * 1000)
    posted = []
    for i in range(BINS):
        device = call("POST", c + "/devices", {"type": "bin_level", "name": f"负载垃圾桶{tag}-{i}"}, token)[1]
        fill, items = 0.0, []
        for h in range(28 * 24):
            fill = 2.0 if fill >= 85 else fill + 0.5 + (1.0 if 7 <= h % 24 <= 21 else 0)
            items.append({"ts": now - (28 * 24 - h) * 3_600_000, "values": {"fill_level": round(fill, 1)}})
        status, _, ms = call("POST", f"/api/v1/{device['token']}/telemetry", items)
        assert status == 200
        posted.append(ms)
    figures(f"bin history post (672 points)", posted)
    runs, confirms = [], []
    for zone, valve in zip(zones, valves):
        status, _, ms = call("POST", c + f"/irrigation/zones/{zone['id']}/run", {"minutes": 5}, token)
        assert status == 200
        runs.append(ms)
        status, _, ms = call("POST", f"/api/v1/{valve['token']}/telemetry", {"valve_open": True, "flow": 18})
        confirms.append(ms)
    figures("POST zone run (valve command)", runs)
    figures("valve confirms (telemetry)", confirms)
    figures("GET zones ?per=100", [call("GET", c + "/irrigation/zones?per=100", token=token)[2] for _ in range(10)])
    figures("GET bins ?per=100", [call("GET", c + "/bins?per=100", token=token)[2] for _ in range(10)])
    for zone in zones:
        call("POST", c + f"/irrigation/zones/{zone['id']}/stop", token=token)
    time.sleep(WAIT)
    db = sqlite3.connect(DB)
    for name in ("irrigation.tick", "bins.forecast"):
        rows = db.execute(
            "SELECT started_at, finished_at FROM job_runs WHERE name = ? ORDER BY started_at DESC LIMIT 20", (name,)
        ).fetchall()
        def seconds(value):
            if isinstance(value, (int, float)):
                return float(value)
            from datetime import datetime
            return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()
        ms = [(seconds(b) - seconds(a)) * 1000 for a, b in rows]
        if ms:
            figures(f"job {name}", ms)
        else:
            print(f"job {name}: no run in the last {WAIT} s")
    print(f"zones {ZONES + 3}, bins {BINS + 8} (with the demo's own)")


if __name__ == "__main__":
    main()
