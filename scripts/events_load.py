#!/usr/bin/env python3
"""Community events under load, on a running `linli demo` (its SQLite file named as DB):

- adds PEOPLE residents (rows and bearer tokens written straight into the demo's database, spread over its
  households — the registry gives residents no passwords);
- the rush: RUSH of them sign up for one 100-seat event in the same second (all threads released at once);
  prints how many were confirmed (must be exactly 100), how many waitlisted, and p50/p99 of the answers;
- the door: CHECKINS residents sign up for a large event, then the community worker checks every ticket in
  with 8 phones at once, plus a repeat of every tenth ticket (each must answer 409); prints the time
  taken, the rate and p50/p99, and the event's own count of checked-in tickets.

Usage: scripts/events_load.py URL DB [people=2000] [rush=500] [checkins=2000]
"""
import datetime
import hashlib
import json
import sqlite3
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

URL = sys.argv[1].rstrip("/")
DB = sys.argv[2]
PEOPLE = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
RUSH = int(sys.argv[4]) if len(sys.argv) > 4 else 500
CHECKINS = int(sys.argv[5]) if len(sys.argv) > 5 else 2000


def call(method, path, body=None, token=None):
    request = urllib.request.Request(URL + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"null"), (time.perf_counter() - started) * 1000
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), (time.perf_counter() - started) * 1000


def figures(name, ms):
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<28} n={len(ms):<5} p50 {statistics.median(ms):7.1f} ms  p99 {p99:7.1f} ms  max {ms[-1]:7.1f} ms")


def add_people(community, count):
    """Residents with bearer tokens, written into the database the server reads."""
    db = sqlite3.connect(DB, timeout=60)
    households = [r[0] for r in db.execute("SELECT id FROM households WHERE community_id = ?", (community.upper(),))]
    now = time.time()
    tag = uuid.uuid4().int % 10_000
    tokens = []
    for n in range(count):
        person, token = str(uuid.uuid4()).upper(), "lt_load" + uuid.uuid4().hex
        db.execute("INSERT INTO people (id, name, phone, birth_year, is_elderly, lives_alone, is_child, is_admin, elder_mode, "
                   "high_contrast, text_size, created_at) VALUES (?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 1, ?)",
                   (person, f"压测居民{n}", f"166{tag:04d}{n:04d}", 1940 + n % 70, now))
        db.execute("INSERT INTO memberships (id, community_id, household_id, person_id, relation, moved_in, created_at) "
                   "VALUES (?, ?, ?, ?, 'family', '2020-01-01', ?)",
                   (str(uuid.uuid4()).upper(), community.upper(), households[n % len(households)], person, now))
        db.execute("INSERT INTO user_tokens (id, person_id, token_hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?)",
                   (str(uuid.uuid4()).upper(), person, hashlib.sha256(token.encode()).hexdigest(), now + 86_400, now))
        tokens.append(token)
    db.commit()
    return tokens


def main():
    op = call("POST", "/api/v1/auth/token", {"phone": "13800000000", "password": "linli-demo"})[1]["token"]
    worker = call("POST", "/api/v1/auth/token", {"phone": "13800000003", "password": "linli-demo"})[1]["token"]
    community = [c for c in call("GET", "/api/v1/communities", token=op)[1]["items"] if c["name"] == "礼嘉智慧小区"][0]["id"]
    c = f"/api/v1/communities/{community}"
    tokens = add_people(community, max(PEOPLE, RUSH, CHECKINS))
    venue = "压测场地" + uuid.uuid4().hex[:6]
    assert call("POST", c + "/venues", {"name": venue}, op)[0] == 201
    start = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)

    def event(title, capacity, offset_hours):
        begins = start + datetime.timedelta(hours=offset_hours)
        body = {"title": title, "place": venue, "capacity": capacity, "seatsPerSignup": 1,
                "startsAt": begins.isoformat(timespec="seconds"), "endsAt": (begins + datetime.timedelta(hours=2)).isoformat(timespec="seconds")}
        status, made, _ = call("POST", c + "/events", body, op)
        assert status == 201, made
        return made["id"]

    # The rush: RUSH sign-ups for 100 seats, released together.
    rush = event("压测：百人名额", 100, 0)
    gate = threading.Barrier(RUSH)
    answers = []

    def sign_up(token):
        gate.wait()
        status, body, ms = call("POST", f"/api/v1/events/{rush}/registration", {}, token)
        answers.append((status, (body or {}).get("status"), ms))

    began = time.perf_counter()
    threads = [threading.Thread(target=sign_up, args=(t,)) for t in tokens[:RUSH]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - began
    seats = call("GET", f"{c}/events/{rush}", token=op)[1]
    confirmed = sum(1 for s, kind, _ in answers if s == 201 and kind == "confirmed")
    waitlisted = sum(1 for s, kind, _ in answers if s == 201 and kind == "waitlisted")
    print(f"rush: {RUSH} sign-ups in {took:.2f} s: {confirmed} confirmed, {waitlisted} waitlisted, "
          f"other answers {sorted(set(s for s, _, _ in answers if s != 201))}; the event counts "
          f"confirmed {seats['confirmed']} / {seats['capacity']}, waitlisted {seats['waitlisted']}")
    figures("sign-up answer", [ms for _, _, ms in answers])
    assert confirmed == 100 == seats["confirmed"], "overbooked or underbooked"

    # The door: CHECKINS tickets, then every one checked in by 8 phones at once.
    door = event("压测：签到", CHECKINS, 6)
    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(lambda t: call("POST", f"/api/v1/events/{door}/registration", {}, t)[1]["ticket"]["code"],
                              tokens[:CHECKINS]))
    scans = codes + codes[::10]
    results = []

    def check_in(code):
        status, _, ms = call("POST", f"{c}/events/{door}/check-ins", {"code": code, "nonce": uuid.uuid4().hex}, worker)
        results.append((status, ms))

    began = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(check_in, scans))
    took = time.perf_counter() - began
    counted = call("GET", f"{c}/events/{door}", token=op)[1]["checkedIn"]
    print(f"door: {len(scans)} scans ({CHECKINS} tickets + {len(codes[::10])} repeats) in {took:.1f} s "
          f"({len(scans) / took:.0f}/s): {sum(1 for s, _ in results if s == 201)} checked in, "
          f"{sum(1 for s, _ in results if s == 409)} refused as already in; the event counts {counted}")
    figures("check-in answer", [ms for _, ms in results])
    assert counted == CHECKINS


if __name__ == "__main__":
    main()
