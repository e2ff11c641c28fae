"""Three `linli serve` on one PostgreSQL behind nginx, on loopback, and what they must do together.

Usage: python3 scripts/three_instances.py   with LINLI_BIN (the binary), DATABASE_URL (an empty database)
and LINLI_ROOT (the checkout). Starts nginx (Debian's package) itself. Checks, printing each figure:
  1. an alarm raised through instance 1 reaches a guard's console WebSocket on instance 3 within 1 s;
  2. a device token rotated through instance 2 is refused by all three within 1 s; a face withdrawn
     through instance 1 stops matching on all three within 1 s (2b); a staff role revoked through
     instance 1 is refused by all three within 1 s (2c);
  3. each recurring job runs once per turn across the three (no two runs of a job closer than its interval);
  4. killing instance 2 (kill -9) loses no acknowledged reading sent through nginx, and the jobs go on.
Exits non-zero on the first failed check. Loopback only.
"""
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import websocket  # websocket-client, installed with selenium

BIN = os.environ["LINLI_BIN"]
ROOT = os.environ.get("LINLI_ROOT", os.getcwd())
DATABASE_URL = os.environ["DATABASE_URL"]
assert "127.0.0.1" in DATABASE_URL or "localhost" in DATABASE_URL, "loopback only"
WORK = tempfile.mkdtemp(prefix="linli-three-")
os.chmod(WORK, 0o755)  # nginx's workers write their temporary files here
STARTED = time.time()
processes = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method="GET", body=None, token=None, timeout=5):
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text or b"null")
        except ValueError:  # nginx's own error page while an upstream is gone
            return error.code, None


def wait_ready(base, seconds=120):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if call(base + "/readyz", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{base} did not become ready")


def start(arguments, name):
    env = dict(os.environ, DATABASE_URL=DATABASE_URL, LINLI_ROOT=ROOT, LOG_LEVEL="warning")
    log = open(os.path.join(WORK, name + ".log"), "w")
    process = subprocess.Popen([BIN, *arguments], env=env, cwd=WORK, stdout=log, stderr=subprocess.STDOUT)
    processes.append(process)
    return process


def until_all(bases, holds, since, seconds, failure):
    """Asks every instance until `holds(base)`; answers how long after `since` each one held, or fails
    naming the instances that did not within `seconds`."""
    took = {}
    while len(took) < len(bases):
        for i, base in enumerate(bases):
            if i not in took and holds(base):
                took[i] = time.time() - since
        if len(took) < len(bases) and time.time() - since > seconds:
            fail(f"{failure} on instances {[i + 1 for i in range(len(bases)) if i not in took]} after {seconds} s")
        time.sleep(0.02)
    return ", ".join(f"{took[i] * 1000:.0f}" for i in range(len(bases)))


def fail(message):
    print("FAILED:", message)
    for name in sorted(os.listdir(WORK)):
        if name.endswith(".log"):
            print(f"--- {name}")
            print(open(os.path.join(WORK, name)).read()[-3000:])
    raise SystemExit(1)


def main():
    ports = [free_port() for _ in range(3)]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    # The first seeds the demo community into the empty database, the others join it.
    start(["demo", "--no-simulate", "--port", str(ports[0])], "instance1")
    wait_ready(bases[0])
    start(["serve", "--port", str(ports[1])], "instance2")
    start(["serve", "--port", str(ports[2])], "instance3")
    wait_ready(bases[1])
    wait_ready(bases[2])
    proxy_port = free_port()
    conf = os.path.join(WORK, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes 1;
error_log {WORK}/nginx-error.log;
pid {WORK}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {WORK}/body; proxy_temp_path {WORK}/proxy;
  fastcgi_temp_path {WORK}/fastcgi; uwsgi_temp_path {WORK}/uwsgi; scgi_temp_path {WORK}/scgi;
  upstream linli {{ {' '.join(f'server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;' for p in ports)} }}
  server {{
    listen 127.0.0.1:{proxy_port};
    location / {{
      proxy_pass http://linli;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_next_upstream error timeout;
    }}
  }}
}}
""")
    nginx = subprocess.Popen(["nginx", "-c", conf, "-p", WORK, "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.STDOUT)
    processes.append(nginx)
    proxy = f"http://127.0.0.1:{proxy_port}"
    wait_ready(proxy, 30)
    print(f"three instances on ports {ports}, nginx on {proxy_port}")

    def token(base, phone):
        status, body = call(base + "/api/v1/auth/token", "POST", {"phone": phone, "password": "linli-demo"})
        if status != 200:
            fail(f"sign-in of {phone} on {base}: {status} {body}")
        return body["token"]

    operator = token(bases[0], "13800000000")
    guard = token(bases[2], "13800000002")
    community = next(c for c in call(bases[0] + "/api/v1/communities", token=operator)[1]["items"]
                     if c["name"] == "礼嘉智慧小区")["id"]

    def provision(base, name, kind):
        status, body = call(base + "/api/v1/provision", "POST", {
            "deviceName": name, "provisionDeviceKey": "linli-demo", "provisionDeviceSecret": "linli-demo-secret",
            "deviceType": kind})
        if status != 200 or body.get("status") != "SUCCESS":
            fail(f"provisioning {name}: {status} {body}")
        return body["credentialsValue"]

    # 1. An alarm through instance 1 reaches the guard's console on instance 3.
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{ports[2]}/api/v1/communities/{community}/alarms/live",
        header=[f"Authorization: Bearer {guard}"], timeout=5)
    assert json.loads(ws.recv())["event"] == "hello"
    gas = provision(bases[0], f"three-gas-{int(time.time())}", "gas")
    sent = time.time()
    status, _ = call(f"{bases[0]}/api/v1/{gas}/telemetry", "POST", {"gas_lel": 42})
    if status != 200:
        fail(f"gas reading: {status}")
    ws.settimeout(1.0)
    try:
        while True:
            event = json.loads(ws.recv())
            if event.get("event") == "alarm":
                break
    except websocket.WebSocketTimeoutException:
        fail("the alarm raised on instance 1 did not reach instance 3 within 1 s")
    print(f"1. alarm on instance 1 -> guard console on instance 3 in {(time.time() - sent) * 1000:.0f} ms")
    ws.close()

    # 2. A token rotated through instance 2 is refused by all three within a second.
    name = f"three-sensor-{int(time.time())}"
    old = provision(bases[0], name, "generic_sensor")
    for base in bases:  # each caches it
        if call(f"{base}/api/v1/{old}/telemetry", "POST", {"t": 1})[0] != 200:
            fail("a fresh token was refused")
    devices = call(f"{bases[1]}/api/v1/communities/{community}/devices?q={name}", token=operator)[1]["items"]
    rotated_at = time.time()
    status, body = call(f"{bases[1]}/api/v1/communities/{community}/devices/{devices[0]['id']}/token", "POST",
                        token=operator)
    if status not in (200, 201):
        fail(f"rotating: {status} {body}")
    refused = until_all(bases, lambda base: call(f"{base}/api/v1/{old}/telemetry", "POST", {"t": 2})[0] == 401,
                        rotated_at, 1.0, "the old token still works")
    print(f"2. rotated token refused by instances 1, 2, 3 after {refused} ms")

    # 2b. A face withdrawn through instance 1 stops matching on all three within a second.
    resident = token(bases[0], "13900000003")
    me = call(bases[0] + "/api/v1/me", token=resident)[1]
    person = me["person"]["id"]
    terminal = provision(bases[0], f"three-face-{int(time.time())}", "face_gate")
    terminal_id = call(f"{bases[0]}/api/v1/communities/{community}/devices?q=three-face", token=operator)[1]["items"][0]["id"]
    status, gate = call(f"{bases[0]}/api/v1/communities/{community}/gates", "POST",
                        {"name": f"三实例门-{int(time.time())}", "kind": "main", "deviceIDs": [terminal_id]}, token=operator)
    if status != 201:
        fail(f"gate: {status} {gate}")
    call(f"{bases[0]}/api/v1/communities/{community}/access-settings", "PUT", {"serverMatching": True}, token=operator)
    version = call(bases[0] + "/api/v1/me/access/consent", token=resident)[1]["version"]
    status, body = call(bases[0] + "/api/v1/me/access/consent", "POST",
                        {"communityID": community, "version": version, "serverMatching": True}, token=resident)
    if status != 201:
        fail(f"consent: {status} {body}")
    rng = random.Random(7)
    face = [rng.gauss(0, 1) for _ in range(128)]
    status, body = call(bases[0] + "/api/v1/devices/access/enrol", "POST",
                        {"personID": person, "model": "arcface-128", "vector": face}, token=terminal)
    if status != 201:
        fail(f"enrol: {status} {body}")
    probes = [0]

    def matches(base):
        probes[0] += 1
        probe = [v + rng.gauss(0, 0.05) for v in face]
        status, answer = call(base + "/api/v1/devices/access/decide", "POST", {
            "gate": gate["id"], "method": "face", "model": "arcface-128", "vector": probe, "liveness": 0.97,
            "eventId": f"three-face-{STARTED}-{probes[0]}"}, token=terminal)
        if status == 400 and (answer.get("errors") or [{}])[0].get("reason") == "unknown_model":
            return False  # this server has not loaded a gallery of the model yet
        if status != 200:
            fail(f"decide on {base}: {status} {answer}")
        return answer["allow"] and (answer.get("person") or {}).get("id") == person

    # The enrolment reaches every gallery (5 s allowed: a server loads a model's gallery on first use).
    matched = until_all(bases, matches, time.time(), 5.0, "the enrolled face is not matched")
    withdrawn_at = time.time()
    status, _ = call(f"{bases[0]}/api/v1/me/access/consent/{person}?communityID={community}", "DELETE", token=resident)
    if status != 204:
        fail(f"withdrawing: {status}")
    stopped = until_all(bases, lambda base: not matches(base), withdrawn_at, 1.0, "the withdrawn face still matches")
    print(f"2b. enrolled face matched on instances 1, 2, 3 after {matched} ms; "
          f"withdrawn face stops matching on instances 1, 2, 3 after {stopped} ms")

    # 2c. A role revoked through instance 1 is refused by all three within a second (the principal cache).
    worker = token(bases[0], "13800000003")
    worker_id = call(bases[0] + "/api/v1/me", token=worker)[1]["person"]["id"]
    for base in bases:  # each caches the worker's sign-in
        if call(f"{base}/api/v1/communities/{community}", token=worker)[0] != 200:
            fail("the community worker cannot see the community")
    roles = call(f"{bases[0]}/api/v1/communities/{community}/staff?per=100", token=operator)[1]["items"]
    role = next(r for r in roles if r["personID"] == worker_id and r["role"] == "community_worker")
    revoked_at = time.time()
    status, _ = call(f"{bases[0]}/api/v1/communities/{community}/staff/{role['id']}", "DELETE", token=operator)
    if status != 204:
        fail(f"revoking the role: {status}")
    hidden = until_all(bases, lambda base: call(f"{base}/api/v1/communities/{community}", token=worker)[0] == 404,
                       revoked_at, 1.0, "the revoked role still holds")
    print(f"2c. revoked role refused by instances 1, 2, 3 after {hidden} ms")

    # 4 (first half). Readings through nginx while instance 2 is killed.
    sensor = provision(proxy, f"three-load-{int(time.time())}", "generic_sensor")
    acknowledged, lock, stop = [], threading.Lock(), threading.Event()
    base_ts = int(time.time() * 1000) - 3_600_000

    def writer(offset):
        n = 0
        while not stop.is_set():
            n += 1
            ts = base_ts + offset * 1_000_000 + n
            try:
                status, _ = call(f"{proxy}/api/v1/{sensor}/telemetry", "POST", {"ts": ts, "values": {"load": n}},
                                 timeout=5)
            except OSError:
                continue
            if status == 200:
                with lock:
                    acknowledged.append(ts)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2)
    killed_at = time.time()
    processes[1].send_signal(signal.SIGKILL)
    processes[1].wait()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join()
    devices = call(f"{bases[0]}/api/v1/communities/{community}/devices?q=three-load", token=operator)[1]["items"]
    series = call(f"{bases[0]}/api/v1/communities/{community}/devices/{devices[0]['id']}/telemetry"
                  f"?key=load&from={base_ts}&to={base_ts + 10_000_000}&limit=10000", token=operator)
    stored = {point["ts"] for point in series[1].get("points", series[1].get("items", []))} if series[0] == 200 else set()
    missing = [ts for ts in acknowledged if ts not in stored]
    if series[0] != 200 or missing:
        fail(f"{len(missing)} of {len(acknowledged)} acknowledged readings lost ({series[0]})")
    print(f"4. {len(acknowledged)} readings acknowledged through nginx while instance 2 was killed: none lost")

    # 3 and 4 (second half): every turn of a job ran once, and the jobs went on after the kill. A job the
    # killed instance held is taken over when its 30 s lease ends; wait (up to 90 s after the kill) until
    # every device job has at least three runs and some ran after the kill.
    # The device jobs that turn every minute or more often; the long ones (retention) run once at the
    # start and not again in this window.
    query = ("SELECT r.name, extract(epoch from r.started_at)::float8, r.instance FROM job_runs r "
             "JOIN jobs j ON j.name = r.name WHERE r.name LIKE 'devices.%' AND j.every_seconds <= 60 "
             "ORDER BY r.name, r.started_at")
    while True:
        rows = subprocess.run(["psql", DATABASE_URL, "-At", "-F", "|", "-c", query], capture_output=True,
                              text=True, check=True).stdout.split()
        runs = {}
        for row in rows:
            job, started, instance = row.split("|")
            runs.setdefault(job, []).append((float(started), instance))
        after = [item for items in runs.values() for item in items if item[0] > killed_at]
        enough = runs and min(len(items) for items in runs.values()) >= 3
        if (enough and after) or time.time() - killed_at > 90:
            break
        time.sleep(2)
    for job, items in runs.items():
        gaps = [b[0] - a[0] for a, b in zip(items, items[1:])]
        if any(gap < 14 for gap in gaps):
            fail(f"{job} ran twice in one turn: gaps {gaps}")
    if not after:
        fail("no job ran after instance 2 was killed")
    if not enough:
        fail(f"too few runs to mean anything 90 s after the kill: "
             f"{({job: len(items) for job, items in runs.items()})}")
    instances = {item[1] for items in runs.values() for item in items}
    print(f"3. {sum(len(v) for v in runs.values())} runs of {len(runs)} device jobs by {len(instances)} instances, "
          f"no two in one turn; {len(after)} runs after the kill")
    print("three instances: all passed")


try:
    main()
finally:
    # SIGTERM, not SIGKILL: nginx's master takes its workers down with it.
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
