"""A resuming reader of a remotipy stream, written from the wire contract
alone: Python's httpx with httpx-sse.

    python3 sse_resume.py N INTERVAL_MS URL [URL...]

Reads the example server's `ticks(N, INTERVAL_MS)`. When the connection
breaks before the stream's final response, it POSTs the same request again,
to the next URL, with `Last-Event-ID` set to the id of the last item it
received, and goes on. Prints `item K` for each item as it arrives, then
`end` (and how often it reconnected on stderr); exits 1 after 10 failed
reconnects in a row.
"""

import json
import sys
import time

import httpx
from httpx_sse import connect_sse

n, interval_ms, urls = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
request = {"jsonrpc": "2.0", "id": 1, "method": "ticks", "params": [n, interval_ms]}

last_id, turn, failures, reconnects = None, 0, 0, 0
with httpx.Client(timeout=httpx.Timeout(10, read=30)) as client:
    while True:
        url = urls[turn % len(urls)]
        headers = {} if last_id is None else {"Last-Event-ID": last_id}
        try:
            with connect_sse(client, "POST", url, json=request, headers=headers) as source:
                if not source.response.headers.get("content-type", "").startswith("text/event-stream"):
                    answer = json.loads(source.response.read())
                    print("error", answer["error"]["code"], answer["error"]["message"], flush=True)
                    sys.exit(0)
                for event in source.iter_sse():
                    message = json.loads(event.data)
                    if message.get("method") == "rpc.item":
                        failures = 0
                        last_id = event.id
                        print("item", message["params"]["result"], flush=True)
                    elif "result" in message:
                        print("end", flush=True)
                        print("reconnects", reconnects, file=sys.stderr)
                        sys.exit(0)
                    else:
                        print("error", message["error"]["code"], message["error"]["message"], flush=True)
                        sys.exit(0)
        except (httpx.TransportError, httpx.RemoteProtocolError) as error:
            print("broke off:", repr(error), file=sys.stderr)
        # The stream ended early (an error, or closed without its last
        # event): the next server continues after the last id.
        failures += 1
        if failures > 10:
            print("gave up after", reconnects, "reconnects", file=sys.stderr)
            sys.exit(1)
        reconnects += 1
        turn += 1
        time.sleep(0.02 * (failures - 1))
