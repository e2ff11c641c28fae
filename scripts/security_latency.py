#!/usr/bin/env python3
"""Event → guard console latency, end to end on loopback, against a running `linli demo`:

- CONSOLES guard-desk WebSockets (`/api/v1/communities/{c}/security/live`, the guard's bearer token);
- background telemetry from `linli simulate` at about READINGS readings/s (started here, stopped after);
- EVENTS presses of 1栋101's emergency button (demo-device-17) through the device API, one at a time:
  each is a reading → the panel's step committed → the event → every console's frame. The latency of a
  press on a console is the frame's arrival minus the moment before the press was sent;
- then the timers: an escalation (due 60 s after a call is raised) and an entry delay's end, each
  observed by polling the API every 20 ms: how late after its due time it was seen.

Usage: scripts/security_latency.py [url] [consoles] [readings/s] [events]   (needs `pip install websockets`)
"""
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from websockets.asyncio.client import connect

URL = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
CONSOLES = int(sys.argv[2]) if len(sys.argv) > 2 else 200
READINGS = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
EVENTS = int(sys.argv[4]) if len(sys.argv) > 4 else 50
BUTTON = "demo-device-17"  # 1栋101紧急按钮
DOOR = "demo-device-8"     # 1栋101门磁
LINLI = os.path.abspath(os.environ.get("LINLI_BIN", ".build/release/linli"))


def api(method, path, body=None, token=None):
    request = urllib.request.Request(URL + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def token(phone):
    return api("POST", "/api/v1/auth/token", {"phone": phone, "password": "linli-demo"})["token"]


def stored_readings():
    with urllib.request.urlopen(URL + "/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("linli_telemetry_readings_total "):
                return float(line.split()[1])
    return 0.0


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def resolve_open_calls(community, guard):
    desk = f"/api/v1/communities/{community}/security/calls"
    for call in api("GET", desk + "?status=open&per=100", token=guard)["items"]:
        for step in ("acknowledge", "dispatch", "on-site"):
            try:
                api("POST", f"{desk}/{call['id']}/{step}", {} if step == "dispatch" else None, token=guard)
            except urllib.error.HTTPError:
                pass
        try:
            api("POST", f"{desk}/{call['id']}/resolve", {"outcome": "test", "note": "load test"}, token=guard)
        except urllib.error.HTTPError:
            pass


async def main():
    guard = token("13800000002")
    community = api("GET", "/api/v1/me", token=guard)["roles"][0]["communityID"]
    feed = URL.replace("http", "ws", 1) + f"/api/v1/communities/{community}/security/live"
    resolve_open_calls(community, guard)
    arrivals = [[] for _ in range(CONSOLES)]

    async def console(index, ready):
        async with connect(feed, additional_headers={"Authorization": "Bearer " + guard},
                                      max_queue=4096) as ws:
            await ws.recv()  # hello
            ready.release()
            async for message in ws:
                arrivals[index].append(time.perf_counter())

    ready = asyncio.Semaphore(0)
    tasks = [asyncio.create_task(console(i, ready)) for i in range(CONSOLES)]
    for _ in range(CONSOLES):
        await asyncio.wait_for(ready.acquire(), 30)
    print(f"{CONSOLES} consoles connected")

    simulator = subprocess.Popen(
        [LINLI, "simulate", "--url", URL, "--devices", "60", "--rate", str(max(1, READINGS // 3)),
         "--duration", "10m", "--prefix", f"lat{int(time.time())}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        cwd=tempfile.mkdtemp())  # its own provisioning state and device names: a second run provisions anew
    await asyncio.sleep(8)  # the simulator provisions its devices and reaches its rate
    readings_before, clock_before = stored_readings(), time.time()

    latencies, loop = [], asyncio.get_running_loop()
    for n in range(EVENTS):
        marks = [len(a) for a in arrivals]
        sent = time.perf_counter()
        await loop.run_in_executor(None, lambda: api("POST", f"/api/v1/{BUTTON}/telemetry", {"pressed": True}))
        deadline = sent + 5
        while time.perf_counter() < deadline and any(len(a) <= m for a, m in zip(arrivals, marks)):
            await asyncio.sleep(0.002)
        for a, m in zip(arrivals, marks):
            if len(a) > m:
                latencies.append((a[m] - sent) * 1000)
        await asyncio.sleep(0.2)
    readings = (stored_readings() - readings_before) / (time.time() - clock_before)
    simulator.terminate()
    simulator.communicate(timeout=10)
    print(f"background telemetry while measuring: {readings:.0f} readings/s stored")
    received = len(latencies)
    print(f"event → console: {EVENTS} events × {CONSOLES} consoles, {received} frames received "
          f"({received / (EVENTS * CONSOLES) * 100:.1f} %); "
          f"p50 {statistics.median(latencies):.1f} ms, p99 {percentile(latencies, 99):.1f} ms, "
          f"max {max(latencies):.1f} ms")
    for task in tasks:
        task.cancel()

    # Timers: the escalation of a call nobody acknowledges (due 60 s after it was raised).
    # The API's times are whole seconds: the due time is taken from the moment the press was sent, so
    # what is printed is an upper bound (it includes the press's own trip).
    resolve_open_calls(community, guard)
    pressed = time.time()
    api("POST", f"/api/v1/{BUTTON}/telemetry", {"pressed": True})
    desk = f"/api/v1/communities/{community}/security/calls?status=open"
    call = api("GET", desk, token=guard)["items"][0]
    due = pressed + 60
    while True:
        calls = [c for c in api("GET", desk, token=guard)["items"] if c["id"] == call["id"]]
        if calls and calls[0]["escalations"] >= 1:
            print(f"escalation: seen {time.time() - due:+.2f} s after its due time (polled every 20 ms)")
            break
        if time.time() > due + 10:
            print("escalation: not seen within 10 s of its due time")
            break
        time.sleep(0.02)
    resolve_open_calls(community, guard)

    # Timers: an entry delay of 5 s ending (armed away at once, the door opens).
    owner = token("13900000001")
    home = api("GET", "/api/v1/me", token=owner)["households"][0]["householdID"]
    panel = f"/api/v1/me/households/{home}/security"
    if api("GET", panel, token=owner)["state"] != "disarmed":
        api("POST", panel + "/disarm", {}, token=owner)
    api("PUT", panel + "/settings", {"exitDelay": 0, "entryDelay": 5, "abortWindow": 30}, token=owner)
    api("POST", panel + "/arm", {"mode": "armed_away"}, token=owner)
    opened = time.time()
    api("POST", f"/api/v1/{DOOR}/telemetry", {"open": True})
    due = opened + 5
    while True:
        if api("GET", panel, token=owner)["state"] == "triggered":
            print(f"entry delay: triggered {time.time() - due:+.2f} s after its end (polled every 20 ms)")
            break
        if time.time() > due + 10:
            print("entry delay: not triggered within 10 s")
            break
        time.sleep(0.02)
    api("POST", panel + "/disarm", {}, token=owner)
    api("PUT", panel + "/settings", {"exitDelay": 60, "entryDelay": 30, "abortWindow": 30}, token=owner)
    resolve_open_calls(community, guard)


asyncio.run(main())
