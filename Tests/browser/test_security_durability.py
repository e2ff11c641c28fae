"""Home security survives a kill -9: an emergency button's call that got its 200, a panel armed with its
exit delay running — the server is killed with SIGKILL, started again on the same SQLite file, and the
call is on the desk, its escalation comes at 60 s, the exit delay ends and the panel moves on."""
import os
import signal
import subprocess
import tempfile
import time

import pytest

from test_durability import BIN, ROOT, call, free_port, start

pytestmark = pytest.mark.skipif(not BIN, reason="LINLI_BIN is not set")


def test_calls_and_timers_survive_kill_9():
    folder = tempfile.mkdtemp()
    db = os.path.join(folder, "linli.sqlite")
    env = dict(os.environ, LINLI_DATABASE=db, LINLI_ROOT=ROOT)
    env.pop("DATABASE_URL", None)
    phone = "13700000002"
    subprocess.run([BIN, "create-admin", "--phone", phone, "--name", "值班管理员"], input=b"admin-pass-1\n",
                   env=env, cwd=folder, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(db, port)
    try:
        token = call(base + "/api/v1/auth/token", "POST", {"phone": phone, "password": "admin-pass-1"})[1]["token"]
        status, community = call(base + "/api/v1/communities", "POST", {"name": "安防小区", "address": "测试"}, token)
        assert status == 201
        c = f"{base}/api/v1/communities/{community['id']}"
        building = call(c + "/buildings", "POST", {"name": "1栋", "floors": 6}, token)[1]
        home = call(c + "/households", "POST", {"buildingID": building["id"], "floor": 1, "room": "101", "areaM2": 80},
                    token)[1]
        # The administrator lives there too (nobody acts for a home they do not live in).
        status, _ = call(c + f"/households/{home['id']}/members", "POST", {"phone": phone, "relation": "owner"}, token)
        assert status == 201
        token = call(base + "/api/v1/auth/token", "POST", {"phone": phone, "password": "admin-pass-1"})[1]["token"]
        status, device = call(c + "/devices", "POST", {"type": "emergency_button", "name": "床头紧急按钮",
                                                      "householdID": home["id"]}, token)
        assert status == 201
        security = f"{base}/api/v1/me/households/{home['id']}/security"
        assert call(security + "/settings", "PUT", {"exitDelay": 3}, token)[0] == 200

        assert call(f"{base}/api/v1/{device['token']}/telemetry", "POST", {"pressed": True})[0] == 200
        pressed = time.time()
        assert call(security + "/arm", "POST", {"mode": "armed_away"}, token)[0] == 200
        server.send_signal(signal.SIGKILL)
        server.wait()

        server = start(db, port)
        status, calls = call(c + "/security/calls?status=open", token=token)
        assert status == 200 and [x["kind"] for x in calls["items"]] == ["panic"], calls
        assert calls["items"][0]["escalations"] == 0
        # The exit delay (3 s) ran out while the server was down or starting: nobody left by an entry
        # door (there is none), so away falls back to home.
        deadline = time.time() + 10
        while call(security, token=token)[1]["state"] == "arming" and time.time() < deadline:
            time.sleep(0.2)
        assert call(security, token=token)[1]["state"] == "armed_home"
        # The escalation at 60 s comes from the restarted server.
        while time.time() < pressed + 75:
            item = call(c + "/security/calls?status=open", token=token)[1]["items"][0]
            if item["escalations"] >= 1:
                break
            time.sleep(0.5)
        assert item["escalations"] == 1, item
        assert time.time() - pressed < 75
    finally:
        server.kill()
        server.wait()
