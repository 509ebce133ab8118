"""An independent client of a remotipy stream: Python's httpx with httpx-sse.

    python3 sse_client.py URL N INTERVAL_MS

Calls the example server's `ticks(N, INTERVAL_MS)` with the plain JSON-RPC
request, asking for an event stream, and prints what arrives: `item K` for
each item, then `end COUNT`, or `error CODE MESSAGE`.
"""

import json
import sys

import httpx
from httpx_sse import connect_sse

url, n, interval_ms = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
request = {"jsonrpc": "2.0", "id": 1, "method": "ticks", "params": {"n": n, "interval_ms": interval_ms}}

with httpx.Client(timeout=30) as client:
    with connect_sse(client, "POST", url, json=request) as source:
        if not source.response.headers.get("content-type", "").startswith("text/event-stream"):
            # Refused before any item: one ordinary JSON-RPC answer.
            answer = json.loads(source.response.read())
            print("error", answer["error"]["code"], answer["error"]["message"])
            sys.exit(0)
        for event in source.iter_sse():
            message = json.loads(event.data)
            if message.get("method") == "rpc.item":
                assert message["params"]["subscription"] == 1, message
                print("item", message["params"]["result"], flush=True)
            elif "result" in message:
                print("end", message["result"]["items"])
                break
            else:
                print("error", message["error"]["code"], message["error"]["message"])
                break
