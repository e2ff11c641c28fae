"""Irrigation survives a kill -9: a zone watered by hand for one minute, its valve confirmed open, the
server killed with SIGKILL while the water runs and started again on the same SQLite file — the valve is
told to close when its minute is up (the runtime is a durable job reading only the database), never left
open; a bin's task that got its 200 is still there."""
import os
import signal
import subprocess
import tempfile
import time

import pytest

from test_durability import BIN, ROOT, call, free_port, start

pytestmark = pytest.mark.skipif(not BIN, reason="LINLI_BIN is not set")


def test_a_run_interrupted_by_kill_9_closes_its_valve_on_time():
    folder = tempfile.mkdtemp()
    db = os.path.join(folder, "linli.sqlite")
    env = dict(os.environ, LINLI_DATABASE=db, LINLI_ROOT=ROOT)
    env.pop("DATABASE_URL", None)
    phone = "13700000003"
    subprocess.run([BIN, "create-admin", "--phone", phone, "--name", "灌溉管理员"], input=b"admin-pass-1\n",
                   env=env, cwd=folder, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(db, port)
    try:
        token = call(base + "/api/v1/auth/token", "POST", {"phone": phone, "password": "admin-pass-1"})[1]["token"]
        status, community = call(base + "/api/v1/communities", "POST", {"name": "灌溉小区", "address": "测试"}, token)
        assert status == 201
        c = f"{base}/api/v1/communities/{community['id']}"
        status, valve = call(c + "/devices", "POST", {"type": "irrigation_valve", "name": "草坪阀门"}, token)
        assert status == 201
        status, bin_device = call(c + "/devices", "POST", {"type": "bin_level", "name": "1栋垃圾桶"}, token)
        assert status == 201
        device = f"{base}/api/v1/{valve['token']}"
        assert call(device + "/telemetry", "POST", {"valve_open": False, "flow": 0})[0] == 200
        status, zone = call(c + "/irrigation/zones", "POST",
                            {"name": "草坪", "valveID": valve["device"]["id"], "maxRunMinutes": 10}, token)
        assert status == 201, zone
        z = f"{c}/irrigation/zones/{zone['id']}"
        assert call(z + "/run", "POST", {"minutes": 1}, token)[0] == 200
        started = time.time()
        assert call(device + "/telemetry", "POST", {"valve_open": True, "flow": 18})[0] == 200
        assert call(z, token=token)[1]["activeRun"]["status"] == "running"
        assert call(f"{base}/api/v1/{bin_device['token']}/telemetry", "POST", {"fill_level": 85})[0] == 200
        server.send_signal(signal.SIGKILL)
        server.wait()

        server = start(db, port)
        # The minute ends while the new server runs: within a tick (15 s) of it the close is queued.
        while time.time() < started + 90:
            run = call(z + "/runs", token=token)[1]["items"][0]
            if run["status"] in ("closing", "done"):
                break
            time.sleep(0.5)
        assert run["status"] == "closing" and run["stopReason"] == "time_up", run
        assert time.time() - started < 60 + 15 + 10
        commands = call(c + f"/commands?per=10", token=token)[1]["items"]
        methods = sorted((x["id"], x["method"]) for x in commands if x["deviceID"] == valve["device"]["id"])
        assert [m for _, m in methods] == ["open_valve", "close_valve"], methods
        assert call(device + "/telemetry", "POST", {"valve_open": False, "flow": 0})[0] == 200
        assert call(z + "/runs", token=token)[1]["items"][0]["status"] == "done"
        bins = call(c + "/bins", token=token)[1]["items"]
        assert bins[0]["taskID"], bins
    finally:
        server.kill()
        server.wait()
