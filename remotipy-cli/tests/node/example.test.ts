// The checked-in client of the example (clients/typescript/example.ts) in Node, against the example
// server the Rust test started (REMOTIPY_EXAMPLE_URL): every method, typed errors, streams, batches,
// automatic batching, notifications, timeouts, aborts, retries and failover.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  createCalculatorClient,
  createUsersClient,
  isAppError,
  RemotipyError,
  type UserError,
  type UserInfo,
} from "./example.js";
import { cuttingProxy, deadUrl, scripted, silent } from "./servers.js";

const url = process.env["REMOTIPY_EXAMPLE_URL"]!;
const users = createUsersClient(url);
const calc = createCalculatorClient(url);
const ada: UserInfo = { first_name: "Ada", last_name: "Lovelace", email: "ada@example.org" };

/** A `fetch` that counts requests and keeps their bodies. */
function counting(): { fetch: typeof fetch; bodies: unknown[] } {
  const bodies: unknown[] = [];
  return {
    bodies,
    fetch: (input, init) => {
      bodies.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    },
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function failure(call: Promise<unknown>): Promise<RemotipyError> {
  const error = await call.then(
    () => assert.fail("the call succeeded"),
    (error: unknown) => error,
  );
  assert.ok(error instanceof RemotipyError, `${error}`);
  return error;
}

test("every method of the example", async () => {
  assert.deepEqual(await users.greet(ada), { message: "Hello, Ada Lovelace!" });
  assert.deepEqual(await users.find(1), ada);
  assert.equal(await users.audit("from TypeScript"), undefined);
  assert.equal(await calc.add(40, 2), 42);
  assert.equal(await calc.divide(1, 4), 0.25);
  assert.deepEqual(await collect(calc.ticks(3, 10)), [1, 2, 3]);
});

test("an application error is typed by its method", async () => {
  const error = await failure(users.find(7));
  assert.ok(isAppError(error, users.find));
  const data: UserError = error.data;
  assert.deepEqual(data, { NotFound: 7 });
  assert.equal(error.kind, "app");
  assert.equal(error.code, -32000);
  assert.equal(error.type, "UserError");
  assert.equal(error.message, "find: no user with id 7");
  assert.ok(!isAppError(error, calc.divide), "another method's error");
  const zero = await failure(calc.divide(1, 0));
  assert.ok(isAppError(zero, calc.divide) && zero.data == "DivisionByZero");
});

test("a protocol error is not an application error", async () => {
  const untyped = calc.add as (a: unknown, b: unknown) => Promise<number>;
  const error = await failure(untyped(1, "two"));
  assert.equal(error.kind, "protocol");
  assert.equal(error.code, -32602);
  assert.match(error.message, /^add: invalid params/);
  assert.ok(!isAppError(error, calc.add));
  const elsewhere = await failure(createUsersClient(url.replace("/rpc", "/nowhere")).find(1));
  assert.equal(elsewhere.kind, "status");
  assert.equal(elsewhere.status, 404);
});

test("a stream's setup error is thrown by the loop, typed", async () => {
  const error = await failure(collect(calc.ticks(3, 70000)));
  assert.ok(isAppError(error, calc.ticks));
  assert.deepEqual(error.data, { IntervalTooLong: 70000 });
});

test("leaving the loop ends the stream at once", async () => {
  const started = Date.now();
  const seen: number[] = [];
  for await (const tick of calc.ticks(1000, 50)) {
    seen.push(tick);
    if (seen.length == 2) break;
  }
  assert.deepEqual(seen, [1, 2]);
  assert.ok(Date.now() - started < 1000);
  const controller = new AbortController();
  const aborted: number[] = [];
  const error = await failure(
    (async () => {
      for await (const tick of calc.withOptions({ signal: controller.signal }).ticks(1000, 50)) {
        aborted.push(tick);
        if (tick == 2) controller.abort();
      }
    })(),
  );
  assert.equal(error.kind, "aborted");
  assert.deepEqual(aborted, [1, 2]);
});

test("a resumable stream survives a cut: each item once, in order", async () => {
  const proxy = await cuttingProxy(url, 3);
  const ticks = createCalculatorClient(proxy.url).ticks(6, 20);
  assert.deepEqual(await collect(ticks), [1, 2, 3, 4, 5, 6]);
  assert.equal(proxy.lastEventIds.length, 2, "one reconnect");
  assert.equal(proxy.lastEventIds[0], undefined);
  // After the last item that arrived before the cut (the cut may drop the third).
  assert.ok([1, 2, 3].includes(Number(proxy.lastEventIds[1])), `resumed after ${proxy.lastEventIds[1]}`);
});

test("an explicit batch: one request, each call its own outcome", async () => {
  const counted = counting();
  const client = createCalculatorClient(url, { fetch: counted.fetch });
  const [sum, quotient, zero] = client.batch((batch) => [batch.add(40, 2), batch.divide(1, 4), batch.divide(1, 0)]);
  assert.equal(await sum, 42);
  assert.equal(await quotient, 0.25);
  const error = await failure(zero);
  assert.ok(isAppError(error, client.divide) && error.data == "DivisionByZero");
  assert.equal(counted.bodies.length, 1);
  assert.equal((counted.bodies[0] as unknown[]).length, 3);
});

test("automatic batching: 100 concurrent calls share one request", async () => {
  const counted = counting();
  const client = createCalculatorClient(url, { autoBatch: true, fetch: counted.fetch });
  const sums = await Promise.all(Array.from({ length: 100 }, (_, i) => client.add(i, i)));
  assert.deepEqual(sums, Array.from({ length: 100 }, (_, i) => 2 * i));
  assert.equal(counted.bodies.length, 1);
  assert.equal((counted.bodies[0] as unknown[]).length, 100);
  // Each keeps its own outcome, and a lone call goes alone.
  const [ok, error] = await Promise.allSettled([client.divide(1, 2), client.divide(1, 0)]);
  assert.deepEqual(ok, { status: "fulfilled", value: 0.5 });
  assert.ok(error.status == "rejected" && isAppError(error.reason, client.divide));
  assert.equal(await client.add(1, 1), 2);
  assert.equal(counted.bodies.length, 3);
});

test("automatic batching keeps each call's own timeout", async () => {
  const { url: silentUrl } = await silent();
  const client = createCalculatorClient(silentUrl, { autoBatch: true });
  const started = Date.now();
  const [short, long] = await Promise.allSettled([
    client.withOptions({ timeoutMs: 100 }).add(1, 1),
    client.withOptions({ timeoutMs: 400 }).add(2, 2),
  ]);
  assert.ok(short.status == "rejected" && short.reason.kind == "timeout");
  assert.ok(long.status == "rejected" && long.reason.kind == "timeout");
  assert.ok(Date.now() - started >= 380, "the longer one waited its own time");
});

test("a notification resolves once sent, and carries no id", async () => {
  const counted = counting();
  const client = createUsersClient(url, { fetch: counted.fetch });
  assert.equal(await client.audit("one way"), undefined);
  assert.deepEqual(counted.bodies[0], { jsonrpc: "2.0", method: "audit", params: { line: "one way" } });
});

test("a timeout fails the call, and the server was told the time left", async () => {
  const { url: silentUrl, requests } = await silent();
  const started = Date.now();
  const error = await failure(createCalculatorClient(silentUrl, { timeoutMs: 200 }).add(1, 2));
  assert.equal(error.kind, "timeout");
  assert.ok(Date.now() - started >= 190);
  assert.match(requests[0]!, /remotipy-timeout-ms: (200|199)\r\n/i);
  const perCall = await failure(createCalculatorClient(silentUrl).withOptions({ timeoutMs: 50 }).add(1, 2));
  assert.equal(perCall.kind, "timeout");
  // A started stream times out after a silence.
  const ticks = createCalculatorClient(url, { streamIdleMs: 200 }).ticks(2, 5000);
  const seen: number[] = [];
  const idle = await failure((async () => { for await (const tick of ticks) seen.push(tick); })());
  assert.equal(idle.kind, "timeout");
  assert.deepEqual(seen, [1]);
});

test("an AbortSignal aborts a call", async () => {
  const { url: silentUrl } = await silent();
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const error = await failure(createCalculatorClient(silentUrl).withOptions({ signal: controller.signal }).add(1, 2));
  assert.equal(error.kind, "aborted");
});

test("headers per client and per call", async () => {
  const server = await scripted((seen) => ({ body: JSON.stringify({ jsonrpc: "2.0", id: JSON.parse(seen.body).id, result: 0 }) }));
  const client = createCalculatorClient(server.url, { headers: { "x-client": "a", "x-both": "client" } });
  await client.withOptions({ headers: { "x-call": "b", "x-both": "call" } }).add(1, 2);
  const headers = server.seen[0]!.headers;
  assert.deepEqual([headers["x-client"], headers["x-call"], headers["x-both"]], ["a", "b", "call"]);
  assert.equal(headers["content-type"], "application/json");
  assert.equal(headers["remotipy-timeout-ms"]?.length! > 0, true);
});

test("an idempotent call fails over from a dead URL; others are not retried", async () => {
  const dead = await deadUrl();
  const failover = createCalculatorClient([dead, url]);
  for (let i = 0; i < 4; i++) assert.equal(await failover.add(i, 1), i + 1);
  const finder = createUsersClient([dead, url]);
  assert.deepEqual(await finder.find(1), ada);
  // `divide` is not idempotent: the first call goes to the dead URL and fails there.
  const error = await failure(createCalculatorClient([dead, url]).divide(1, 2));
  assert.equal(error.kind, "transport");
});

test("an attempt that takes too long is retried elsewhere, for an idempotent method", async () => {
  const { url: silentUrl } = await silent();
  const client = createCalculatorClient([silentUrl, url], { attemptTimeoutMs: 100 });
  const started = Date.now();
  assert.equal(await client.add(2, 2), 4);
  assert.ok(Date.now() - started >= 90, "the first attempt waited its time");
  const error = await failure(createCalculatorClient([silentUrl, url], { attemptTimeoutMs: 100 }).divide(1, 2));
  assert.equal(error.kind, "timeout");
});

test("503 with Retry-After is retried for an idempotent method only", async () => {
  const server = await scripted((seen, index) =>
    index % 2 == 0
      ? { status: 503, headers: { "retry-after": "0" }, body: "busy" }
      : { body: JSON.stringify({ jsonrpc: "2.0", id: JSON.parse(seen.body).id, result: 3 }) },
  );
  const client = createCalculatorClient(server.url);
  assert.equal(await client.add(1, 2), 3);
  assert.equal(server.seen.length, 2);
  const error = await failure(client.divide(1, 2));
  assert.equal(error.kind, "status");
  assert.equal(error.status, 503);
});

test("answers that are not JSON-RPC are decode or protocol errors", async () => {
  const server = await scripted((_, index) => [{ body: "<html>" }, { body: "{}" }, { body: '{"result":12345678901234567890}' }][index % 3]!);
  const client = createCalculatorClient(server.url);
  assert.equal((await failure(client.divide(1, 2))).kind, "decode");
  assert.equal((await failure(client.divide(1, 2))).kind, "protocol");
  const wide = await failure(client.divide(1, 2));
  assert.equal(wide.kind, "decode");
  assert.match(wide.message, /beyond 2\^53/);
});
