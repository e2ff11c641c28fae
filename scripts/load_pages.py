#!/usr/bin/env python3
"""The pages' speed against /healthz, with wrk, in one run, against a running demo (loopback only).

    python3 scripts/load_pages.py [url] [connections] [seconds]

Signs in through the login form as the demo's resident (13900000001) and operator (13800000000), then
runs wrk on /healthz, the resident's home page /, and the operator's first console page
/console/<community>, and prints requests/s, the ratio to /healthz and the non-2xx/3xx count of each.
"Rendered every time" is the home page with a different query string on every request (scripts/
unique_query.lua), so no page is reused: what a page costs when it must be rendered.
"""
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
CONNECTIONS = sys.argv[2] if len(sys.argv) > 2 else "50"
SECONDS = sys.argv[3] if len(sys.argv) > 3 else "10"
HERE = os.path.dirname(os.path.abspath(__file__))


def session_cookie(phone):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(URL + "/login").read().decode()
    csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"phone": phone, "password": "linli-demo", "_csrf": csrf}).encode()
    opener.open(URL + "/login", form)
    return "; ".join(f"{c.name}={c.value}" for c in jar if c.name == "linli_session")


def community(phone):
    body = json.dumps({"phone": phone, "password": "linli-demo"}).encode()
    req = urllib.request.Request(URL + "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    token = json.load(urllib.request.urlopen(req))["token"]
    req = urllib.request.Request(URL + "/api/v1/communities", headers={"Authorization": "Bearer " + token})
    return json.load(urllib.request.urlopen(req))["items"][0]["id"]


def wrk(path, cookie=None, script=None):
    args = ["wrk", "-t2", "-c" + CONNECTIONS, "-d" + SECONDS + "s", "--latency"]
    if cookie:
        args += ["-H", "Cookie: " + cookie]
    if script:
        args += ["-s", os.path.join(HERE, script)]
    out = subprocess.run(args + [URL + path], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    return rate, int(bad.group(1)) if bad else 0, p99.group(1) if p99 else "?"


resident = session_cookie("13900000001")
operator = session_cookie("13800000000")
console = "/console/" + community("13800000000")
health, bad, p99 = wrk("/healthz")
print(f"{'/healthz':32} {health:10.0f} req/s  1.00×  non-2xx {bad}  p99 {p99}")
for name, path, cookie, script in [
    ("/ (resident)", "/", resident, None),
    ("/ rendered every time", "/", resident, "unique_query.lua"),
    ("/console/<c> (operator)", console, operator, None),
]:
    rate, bad, p99 = wrk(path, cookie, script)
    print(f"{name:32} {rate:10.0f} req/s  {rate / health:.2f}×  non-2xx {bad}  p99 {p99}")
