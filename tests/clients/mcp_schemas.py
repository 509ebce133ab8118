"""Every tool's schemas against JSON Schema 2020-12, and arguments generated
from each `inputSchema` sent to the server, which must accept them.

    python3 mcp_schemas.py URL EXAMPLES

Lists the tools over plain HTTP (2025-11-25 rules), checks each `inputSchema`
and `outputSchema` with `jsonschema`'s Draft202012Validator (an object schema
at the root, as MCP requires), generates EXAMPLES argument sets per tool with
hypothesis-jsonschema and calls the tool with each, a 300 ms deadline
(`Remotipy-Timeout-Ms`) bounding the long ones. Arguments are accepted when
the answer is a result (`isError` or not: the tool ran), refused when it is a
protocol error. Prints one JSON object, which tests/mcp_clients.rs checks.
"""

import json
import sys
import warnings

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import NonInteractiveExampleWarning
from hypothesis_jsonschema import from_schema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

warnings.simplefilter("ignore", NonInteractiveExampleWarning)
HEADERS = {"accept": "application/json, text/event-stream", "remotipy-timeout-ms": "300"}


def rpc(client, url, method, params, id_):
    body = {"jsonrpc": "2.0", "id": id_, "method": method, "params": params}
    return client.post(url, json=body, headers=HEADERS).json()


def schema_problem(schema):
    if schema is None:
        return None
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as e:
        return e.message
    return None if schema.get("type") == "object" else "the root is not `type: object`"


def generated(schema, count):
    found = []

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(from_schema(schema))
    def collect(arguments):
        found.append(arguments)

    collect()
    return found


def main(url, count):
    report = {}
    with httpx.Client(timeout=10) as client:
        tools = rpc(client, url, "tools/list", {}, 0)["result"]["tools"]
        for n, tool in enumerate(tools):
            seen = {
                "input_problem": schema_problem(tool["inputSchema"]),
                "output_problem": schema_problem(tool.get("outputSchema")),
                "calls": 0,
                "refused": [],
            }
            validator = Draft202012Validator(tool["inputSchema"])
            for k, arguments in enumerate(generated(tool["inputSchema"], count)):
                assert validator.is_valid(arguments), (tool["name"], arguments)
                answer = rpc(client, url, "tools/call", {"name": tool["name"], "arguments": arguments}, f"{n}-{k}")
                seen["calls"] += 1
                if "error" in answer:
                    seen["refused"].append({"arguments": arguments, "error": answer["error"]})
            report[tool["name"]] = seen
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
