"""ThingsBoard's own Python SDK (tb-mqtt-client's TBHTTPDevice, unchanged) against Linli: it provisions
itself with the demo community's key, sends telemetry and attributes, reads attributes, asks the server
the time, and answers a two-way command an operator sends."""
import json
import time
import urllib.request
import uuid

from tb_device_http import TBHTTPDevice

OPERATOR = "13800000000"


def api(base_url, method, path, body=None, token=None):
    request = urllib.request.Request(base_url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def test_thingsboard_http_sdk_works_unchanged(base_url):
    name = "tb-sdk-" + uuid.uuid4().hex[:8]
    device = TBHTTPDevice.provision(base_url, name, "linli-demo", "linli-demo-secret")
    assert device.connect()
    device.send_telemetry({"temperature": 21.5, "humidity": 40}, queued=False)
    device.send_attributes({"firmware": "2.0.1"})
    attributes = device.request_attributes(client_keys=["firmware"])
    assert attributes["client"]["firmware"] == "2.0.1"
    now = device.send_rpc("getCurrentTime")
    assert abs(now["time"] / 1000 - time.time()) < 120

    replies = []

    def on_command(command):
        replies.append(command)
        device.send_rpc(name="reply", params={"done": command["method"]}, rpc_id=command["id"])

    device.subscribe("rpc", on_command)
    token = api(base_url, "POST", "/api/v1/auth/token", {"phone": OPERATOR, "password": "linli-demo"})["token"]
    community = next(c["id"] for c in api(base_url, "GET", "/api/v1/communities", token=token)["items"]
                     if c["name"] == "礼嘉智慧小区")
    found = api(base_url, "GET", f"/api/v1/communities/{community}/devices?q={name}", token=token)["items"][0]
    assert found["clientAttributes"]["firmware"] == "2.0.1" and found["online"]
    latest = api(base_url, "GET", f"/api/v1/communities/{community}/devices/{found['id']}/telemetry/latest", token=token)
    assert {v["key"]: v["value"] for v in latest} == {"temperature": 21.5, "humidity": 40}
    command = api(base_url, "POST", f"/api/v1/communities/{community}/devices/{found['id']}/commands",
                  {"method": "blink", "params": {"times": 3}, "twoWay": True}, token=token)
    deadline = time.time() + 20
    status = None
    while time.time() < deadline:
        status = api(base_url, "GET", f"/api/v1/communities/{community}/commands/{command['id']}", token=token)
        if status["status"] == "SUCCESSFUL":
            break
        time.sleep(0.2)
    device.unsubscribe("rpc")
    device.stop_publish_worker()
    assert replies and replies[0]["method"] == "blink" and replies[0]["params"] == {"times": 3}
    assert status["status"] == "SUCCESSFUL"
    assert status["response"] == {"method": "reply", "params": {"done": "blink"}}
