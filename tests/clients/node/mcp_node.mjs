// The official MCP TypeScript SDK (`@modelcontextprotocol/sdk`, 1.x: the
// 2025-11-25 revision) against a remotipy MCP endpoint, and every tool's
// `inputSchema`/`outputSchema` compiled by Ajv's JSON Schema 2020-12 dialect.
//
//     node mcp_node.mjs URL
//
// Prints what the client saw as one JSON object, which tests/mcp_clients.rs checks.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import Ajv2020 from 'ajv/dist/2020.js';

const url = new URL(process.argv[2]);
const client = new Client({ name: 'remotipy-test', version: '0.1.0' });
const transport = new StreamableHTTPClientTransport(url);
await client.connect(transport);
const seen = {
  protocol_version: transport.protocolVersion ?? null,
  server_info: client.getServerVersion() ?? null,
};

const { tools } = await client.listTools();
// Formats such as int64 are annotations to a 2020-12 validator: unknown ones are ignored.
const ajv = new Ajv2020({ strict: false, validateFormats: false });
seen.tools = tools.map((tool) => {
  const compiles = (schema) => {
    if (schema === undefined) return null;
    try {
      ajv.compile(schema);
      return true;
    } catch (e) {
      return String(e);
    }
  };
  return {
    name: tool.name,
    description: tool.description ?? null,
    input_schema: tool.inputSchema,
    annotations: tool.annotations ?? null,
    input_compiles: compiles(tool.inputSchema),
    output_compiles: compiles(tool.outputSchema),
  };
});

const result = (res) => ({
  is_error: Boolean(res.isError),
  structured: res.structuredContent ?? null,
  texts: res.content.filter((block) => block.type === 'text').map((block) => block.text),
});

const user = { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.org' };
const calls = {
  add: ['add', { a: 40, b: 2 }],
  greet: ['greet', { user }],
  find: ['find', { id: 1 }],
  find_missing: ['find', { id: 7 }],
  divide: ['divide', { a: 1, b: 4 }],
  divide_by_zero: ['divide', { a: 1, b: 0 }],
  audit: ['audit', { line: 'from node' }],
  bad_argument: ['add', { a: 'forty', b: 2 }],
  unknown_tool: ['subtract', { a: 1, b: 2 }],
};
for (const [key, [name, args]] of Object.entries(calls)) {
  try {
    seen[key] = result(await client.callTool({ name, arguments: args }));
  } catch (e) {
    if (!(e instanceof McpError)) throw e;
    seen[key] = { protocol_error: { code: e.code, message: e.message } };
  }
}
const progress = [];
const ticks = await client.callTool({ name: 'ticks', arguments: { n: 3, interval_ms: 20 } }, undefined, {
  onprogress: (p) => progress.push([p.progress, p.total ?? null, p.message ?? null]),
});
seen.ticks = { ...result(ticks), progress };
await client.close();
console.log(JSON.stringify(seen));
