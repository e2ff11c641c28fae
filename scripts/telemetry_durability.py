#!/usr/bin/env python3
"""Kill -9 the server while the simulator sends telemetry; nothing that got a 2xx may be lost.

Starts `linli demo --reset --no-simulate` on a fresh SQLite file in a temporary folder, runs
`linli simulate` against it with an acknowledgement log (one line per 2xx: token, ts, readings
accepted), kills the server with SIGKILL in the middle, restarts it on the same file and checks
every acknowledged reading is stored. Prints the counts; exits 1 on any loss.

    LINLI_BIN=.build/debug/linli python3 scripts/telemetry_durability.py [--seconds 6]
"""
import argparse
import hashlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become ready")


def start(binary, folder, port, reset):
    env = dict(os.environ, LINLI_ROOT=os.environ.get("LINLI_ROOT", ROOT), LOG_LEVEL="warning")
    env.pop("DATABASE_URL", None)
    args = [binary, "demo", "--no-simulate", "--port", str(port)] + (["--reset"] if reset else [])
    process = subprocess.Popen(args, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port)
    return process


def run(binary, seconds=6.0, devices=40, connections=16):
    folder = tempfile.mkdtemp(prefix="linli-durability-")
    port = free_port()
    server = start(binary, folder, port, reset=True)
    ack = os.path.join(folder, "ack.log")
    simulator = subprocess.Popen(
        [binary, "simulate", "--url", f"http://127.0.0.1:{port}", "--community", "linli-demo",
         "--secret", "linli-demo-secret", "--devices", str(devices), "--rate", "0", "--connections", str(connections),
         "--duration", str(seconds + 30), "--no-commands", "--ack-log", ack, "--state", os.path.join(folder, "state.json")],
        cwd=folder, env=dict(os.environ, LOG_LEVEL="warning"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Let provisioning finish and traffic flow, then kill the server in the middle of it.
    deadline = time.time() + 60
    while time.time() < deadline and (not os.path.exists(ack) or os.path.getsize(ack) < 20_000):
        time.sleep(0.1)
    time.sleep(seconds)
    server.send_signal(signal.SIGKILL)
    server.wait()
    time.sleep(1)
    simulator.send_signal(signal.SIGKILL)
    simulator.wait()

    acknowledged = []
    with open(ack) as log:
        for line in log:
            parts = line.split()
            if len(parts) == 3:
                acknowledged.append((parts[0], int(parts[1]), int(parts[2])))
    # Restart on the same file (recovers the WAL), then count what is stored.
    server = start(binary, folder, port, reset=False)
    try:
        db = sqlite3.connect(f"file:{os.path.join(folder, 'linli-demo.sqlite')}?mode=ro", uri=True)
        ids = {}
        for token in {a[0] for a in acknowledged}:
            digest = hashlib.sha256(token.encode()).hexdigest()
            row = db.execute("SELECT id FROM devices WHERE token_hash = ?", (digest,)).fetchone()
            ids[token] = row[0] if row else None
        missing = 0
        readings = 0
        for token, ts, count in acknowledged:
            readings += count
            stored = db.execute("SELECT count(*) FROM telemetry WHERE device_id = ? AND ts = ?", (ids[token], ts)).fetchone()[0]
            missing += max(0, count - stored)
        total = db.execute("SELECT count(*) FROM telemetry WHERE device_id IN (SELECT id FROM devices WHERE provisioned)").fetchone()[0]
        db.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    return {"messages_acknowledged": len(acknowledged), "readings_acknowledged": readings,
            "readings_missing": missing, "readings_stored": total, "folder": folder}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6.0, help="traffic before the kill (after the first acks)")
    parser.add_argument("--bin", default=os.environ.get("LINLI_BIN", os.path.join(ROOT, ".build/debug/linli")))
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    result = run(args.bin, seconds=args.seconds)
    print(" ".join(f"{k}={v}" for k, v in result.items()))
    sys.exit(1 if result["readings_missing"] or not result["messages_acknowledged"] else 0)


if __name__ == "__main__":
    main()
