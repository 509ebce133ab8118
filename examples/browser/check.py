#!/usr/bin/env python3
"""Opens the example page in headless Chromium and checks what it shows.

Serves this directory (the page, and pkg/ that wasm-bindgen made) on
127.0.0.1:PAGE_PORT, drives Chromium through chromedriver's W3C WebDriver
API (standard library only), waits for the page's status, and compares its
answers with the example server's. The server must allow the page's origin
(`--allow-origin http://127.0.0.1:PAGE_PORT`).

    check.py --server http://127.0.0.1:3000/rpc --page-port 8000
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
import urllib.parse
import urllib.request

EXPECTED = [
    "greet: Hello, Ada Lovelace!",
    "find(1): ada@example.org",
    "find(7): no user with id 7",
    "add(40, 2): 42",
    "divide(1, 0): division by zero",
    "ticks(3): [1, 2, 3]",
]

CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def webdriver(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["value"]


class Page(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".wasm": "application/wasm"}

    def log_message(self, *args):
        pass


def serve_page(port):
    handler = functools.partial(Page, directory=os.path.dirname(os.path.abspath(__file__)))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--page-port", type=int, required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    args = parser.parse_args()

    page = serve_page(args.page_port)
    driver_port = free_port()
    driver = subprocess.Popen([args.chromedriver, f"--port={driver_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{driver_port}"
    profile = tempfile.mkdtemp(prefix="remotipy-chromium-")
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
            url = f"http://127.0.0.1:{args.page_port}/index.html?server={urllib.parse.quote(args.server, safe='')}"
            webdriver(base, "POST", f"/session/{sid}/url", {"url": url})
            script = ("return [document.getElementById('status').textContent,"
                      " [...document.querySelectorAll('#answers li')].map(li => li.textContent)]")
            deadline = time.monotonic() + 30
            while True:
                status, answers = webdriver(base, "POST", f"/session/{sid}/execute/sync", {"script": script, "args": []})
                if status != "running…" or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
        finally:
            webdriver(base, "DELETE", f"/session/{sid}")
    finally:
        driver.terminate()
        driver.wait()
        page.shutdown()

    print(f"status: {status}")
    for line in answers:
        print(f"  {line}")
    if status != "done" or answers != EXPECTED:
        print(f"expected status 'done' and answers {EXPECTED}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
