"""Nothing acknowledged is lost: writes that got a 2xx survive a kill -9 of the server.

Starts its own `linli serve` on a fresh SQLite file (LINLI_BIN names the binary), fires concurrent
writes, kills the process with SIGKILL in the middle of them, restarts it on the same file and checks that
every write that was answered 201 is there."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest

BIN = os.environ.get("LINLI_BIN")
ROOT = os.environ.get("LINLI_ROOT", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
pytestmark = pytest.mark.skipif(not BIN, reason="LINLI_BIN is not set")


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
        return error.code, json.loads(error.read() or b"null")


def start(db, port):
    env = dict(os.environ, LINLI_DATABASE=db, LINLI_ROOT=ROOT, LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen([BIN, "serve", "--port", str(port)], env=env, cwd=os.path.dirname(db),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            if call(f"http://127.0.0.1:{port}/readyz")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("linli serve did not start")


def test_acknowledged_writes_survive_kill_9():
    folder = tempfile.mkdtemp()
    db = os.path.join(folder, "linli.sqlite")
    env = dict(os.environ, LINLI_DATABASE=db, LINLI_ROOT=ROOT)
    env.pop("DATABASE_URL", None)
    subprocess.run([BIN, "create-admin", "--phone", "13700000001", "--name", "admin"], input=b"admin-pass-1\n",
                   env=env, cwd=folder, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(db, port)
    status, token = call(base + "/api/v1/auth/token", "POST", {"phone": "13700000001", "password": "admin-pass-1"})
    assert status == 200
    token = token["token"]
    status, community = call(base + "/api/v1/communities", "POST", {"name": "耐久小区", "address": "测试"}, token)
    assert status == 201
    path = f"{base}/api/v1/communities/{community['id']}/buildings"

    acknowledged, refused, lock, stop = [], [], threading.Lock(), threading.Event()

    def writer(prefix):
        n = 0
        while not stop.is_set():
            n += 1
            name = f"{prefix}-{n}"
            try:
                status, _ = call(path, "POST", {"name": name, "floors": 10}, token, timeout=2)
            except OSError:
                return
            with lock:
                (acknowledged if status == 201 else refused).append((name, status))

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(2.0)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    for thread in threads:
        thread.join()
    acknowledged = [name for name, _ in acknowledged]
    print(f"{len(acknowledged)} writes acknowledged before kill -9")
    assert not refused, f"concurrent writes were refused: {refused[:5]}"
    assert len(acknowledged) > 20, "too few writes to mean anything"

    server = start(db, port)
    try:
        stored = set()
        page = 1
        while True:
            status, body = call(f"{path}?per=100&page={page}", token=token)
            assert status == 200
            stored.update(item["name"] for item in body["items"])
            if page * 100 >= body["metadata"]["total"]:
                break
            page += 1
        missing = [name for name in acknowledged if name not in stored]
        assert not missing, f"{len(missing)} acknowledged writes lost: {missing[:5]}"
    finally:
        server.kill()
        server.wait()
