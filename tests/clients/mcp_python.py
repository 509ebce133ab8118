"""The official MCP Python SDK (`mcp` on PyPI) against a remotipy MCP endpoint.

    python3 mcp_python.py URL MODE [--transcript]

MODE is the SDK's `Client(mode=...)`: `legacy` (the 2025-11-25 handshake),
`2026-07-28` (the stateless revision, pinned) or `auto` (probes
`server/discover`, falls back to `initialize`). Prints what the client saw as
one JSON object, which tests/mcp_clients.rs checks; `--transcript` prints the
same calls as a reader would follow them instead (docs/mcp.md).
"""

import json
import sys

import anyio
from mcp import Client
from mcp.shared.exceptions import MCPError


def result(res):
    return {
        "is_error": bool(res.is_error),
        "structured": res.structured_content,
        "texts": [block.text for block in res.content if block.type == "text"],
    }


async def main(url, mode, transcript):
    seen = {}
    async with Client(url, mode=mode) as client:
        seen["protocol_version"] = client.protocol_version
        info = client.server_info
        seen["server_info"] = {"name": info.name, "version": info.version} if info else None
        listed = await client.list_tools()
        seen["tools"] = [
            {
                "name": tool.name,
                "description": tool.description,
                "input_schema": tool.input_schema,
                "output_schema": tool.output_schema,
                "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else None,
            }
            for tool in listed.tools
        ]
        user = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}
        calls = {
            "add": ("add", {"a": 40, "b": 2}),
            "greet": ("greet", {"user": user}),
            "find": ("find", {"id": 1}),
            "find_missing": ("find", {"id": 7}),
            "divide": ("divide", {"a": 1, "b": 4}),
            "divide_by_zero": ("divide", {"a": 1, "b": 0}),
            "audit": ("audit", {"line": "from python"}),
            "bad_argument": ("add", {"a": "forty", "b": 2}),
            "missing_argument": ("add", {"a": 1}),
            "unknown_tool": ("subtract", {"a": 1, "b": 2}),
            "ticks_refused": ("ticks", {"n": 2, "interval_ms": 120000}),
        }
        for key, (name, arguments) in calls.items():
            try:
                seen[key] = result(await client.call_tool(name, arguments))
            except MCPError as e:
                seen[key] = {"protocol_error": {"code": e.error.code, "message": e.error.message}}
        progress = []

        async def on_progress(value, total, message):
            progress.append([value, total, message])

        ticks = await client.call_tool("ticks", {"n": 3, "interval_ms": 20}, progress_callback=on_progress)
        seen["ticks"] = dict(result(ticks), progress=progress)
    if transcript:
        show(seen)
    else:
        print(json.dumps(seen))


def show(seen):
    print(f"connected: protocol {seen['protocol_version']}, server {seen['server_info']}")
    for tool in seen["tools"]:
        print(f"tool {tool['name']}: {tool['description']!r} params {list(tool['input_schema']['properties'])}")
    for key in ["add", "greet", "find_missing", "bad_argument", "unknown_tool", "ticks"]:
        print(f"{key}: {json.dumps(seen[key])}")


if __name__ == "__main__":
    url, mode = sys.argv[1], sys.argv[2]
    anyio.run(main, url, mode, "--transcript" in sys.argv)
