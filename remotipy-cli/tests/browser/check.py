#!/usr/bin/env python3
"""Runs the example's generated TypeScript client in headless Chromium.

Serves DIST (the tests compiled by tsc: browser.test.js and example.js) and a
page that loads browser.test.js on 127.0.0.1:PAGE_PORT, drives Chromium
through chromedriver's W3C WebDriver API (standard library only), and waits
for the page's `globalThis.remotipyResults`. The example server must allow
the page's origin (`--allow-origin http://127.0.0.1:PAGE_PORT`).

    check.py --dist DIR --page-port PORT --server URL --dead URL --silent URL
"""

import argparse
import functools
import http.server
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-dev-shm-usage",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def webdriver(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["value"]


def page(config):
    return f"""<!doctype html>
<meta charset="utf-8">
<title>remotipy TypeScript client</title>
<script>globalThis.REMOTIPY = {json.dumps(config)};</script>
<script type="module" src="browser.test.js"></script>
"""


def serve(directory, port, html):
    class Handler(http.server.SimpleHTTPRequestHandler):
        extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

        def do_GET(self):
            if self.path.split("?")[0] in ("/", "/index.html"):
                body = html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Handler, directory=directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", required=True)
    parser.add_argument("--page-port", type=int, required=True)
    parser.add_argument("--server", required=True)
    parser.add_argument("--dead", required=True)
    parser.add_argument("--silent", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    args = parser.parse_args()

    config = {"server": args.server, "dead": args.dead, "silent": args.silent}
    pages = serve(args.dist, args.page_port, page(config))
    driver_port = free_port()
    driver = subprocess.Popen([args.chromedriver, f"--port={driver_port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{driver_port}"
    profile = tempfile.mkdtemp(prefix="remotipy-ts-chromium-")
    outcome = None
    try:
        for _ in range(100):
            try:
                webdriver(base, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        options = {"binary": args.chromium, "args": CHROMIUM_ARGS + [f"--user-data-dir={profile}"]}
        session = webdriver(base, "POST", "/session",
                            {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}})
        sid = session["sessionId"]
        try:
            webdriver(base, "POST", f"/session/{sid}/url", {"url": f"http://127.0.0.1:{args.page_port}/"})
            deadline = time.monotonic() + 60
            while outcome is None and time.monotonic() < deadline:
                outcome = webdriver(base, "POST", f"/session/{sid}/execute/sync",
                                    {"script": "return globalThis.remotipyResults ?? null", "args": []})
                time.sleep(0.2)
            logs = webdriver(base, "POST", f"/session/{sid}/execute/sync",
                             {"script": "return navigator.userAgent", "args": []})
            print(f"browser: {logs}")
        finally:
            webdriver(base, "DELETE", f"/session/{sid}")
    finally:
        driver.terminate()
        driver.wait()
        pages.shutdown()

    if outcome is None:
        print("the page reported nothing within 60 s", file=sys.stderr)
        return 1
    failed = 0
    for result in outcome["results"]:
        mark = "ok" if result["ok"] else f"FAILED: {result.get('error')}"
        print(f"  {result['name']}: {mark}")
        failed += not result["ok"]
    return 1 if failed or not outcome["results"] else 0


if __name__ == "__main__":
    sys.exit(main())
