// Schema coverage (tests/fixture/mod.rs, served at REMOTIPY_FIXTURE_URL): what Rust sends is exactly
// what the generated types describe (a literal of those types, checked by tsc, equals Rust's JSON),
// and what TypeScript sends, Rust decodes (each value echoed back unchanged). Then optional fields
// and arguments, a namespace, each error variant, both integer policies, and a cancelled stream.

import assert from "node:assert/strict";
import { test } from "node:test";

import * as wide from "./fixture_bigint.js";
import {
  createGeoClient,
  createShapesClient,
  isAppError,
  RemotipyError,
  type FixtureError,
  type Profile,
  type Samples,
} from "./fixture.js";
import { sleep } from "./servers.js";

const url = process.env["REMOTIPY_FIXTURE_URL"]!;
const shapes = createShapesClient(url);

const profile: Profile = {
  displayName: "Ada",
  id: 7,
  tags: ["a", "b"],
  attributes: { age: 36, height: 170 },
  position: [1.5, -2, "here"],
  home: { x: 0, y: 1 },
  shape: { Rect: { width: 2, height: 3 } },
  extra: { any: [1, "json", null] },
  initial: "A",
  nothing: null,
  nickname: null,
  email: "ada@example.org",
  score: 3,
};

/** Rust leaves `email` out when it is `None` (`skip_serializing_if`). */
const { email: _email, ...noEmail } = profile;

/** Rust's `fixture::samples()`, written as the generated types say it is. */
const expected: Samples = {
  profiles: [profile, { ...noEmail, nickname: "Countess" }],
  shapes: ["Empty", { Circle: 1 }, { Segment: [{ x: 0, y: 0 }, { x: 1, y: 1 }] }, { Rect: { width: 1, height: 2 } }],
  events: [{ kind: "started", at: 1 }, { kind: "moved", x: 2, y: 3 }, { kind: "stopped" }],
  messages: [{ t: "Text", c: "hi" }, { t: "Pair", c: [1, 2] }, { t: "Move", c: { to: { x: 4, y: 5 } } }, { t: "Ping" }],
  loose: [1.5, "text", [{ x: 1, y: 2 }], { label: "l" }],
  colors: ["red", "dark-blue", "green"],
  tree: { label: "root", children: [{ label: "leaf", children: [] }] },
  placed: { x: 1, y: 1, zoom: 3 },
};

test("what Rust sends is what the types describe", async () => {
  assert.deepEqual(await shapes.samples(), expected);
});

test("what TypeScript sends, Rust decodes: every shape echoed unchanged", async () => {
  for (const value of expected.profiles) assert.deepEqual(await shapes.profile(value), value);
  for (const value of expected.shapes) assert.deepEqual(await shapes.shape(value), value);
  for (const value of expected.events) assert.deepEqual(await shapes.event(value), value);
  for (const value of expected.messages) assert.deepEqual(await shapes.message(value), value);
  for (const value of expected.loose) assert.deepEqual(await shapes.loose(value), value);
  for (const value of expected.colors) assert.equal(await shapes.color(value), value);
  assert.deepEqual(await shapes.tree(expected.tree), expected.tree);
  assert.deepEqual(await shapes.placed(expected.placed), expected.placed);
});

test("optional fields may be left out: serde fills them in", async () => {
  const { nickname: _n, email: _e, score: _s, ...bare } = profile;
  assert.deepEqual(await shapes.profile(bare), { ...bare, nickname: null, score: 0 });
});

test("optional trailing arguments are left out when undefined", async () => {
  assert.equal(await shapes.optional(1), "1 None None");
  assert.equal(await shapes.optional(1, "b"), '1 Some("b") None');
  assert.equal(await shapes.optional(1, undefined, 3), "1 None Some(3)");
});

test("a namespaced method is nested under its namespace", async () => {
  assert.equal(await createGeoClient(url).geo.distance({ x: 0, y: 0 }, { x: 3, y: 4 }), 5);
});

/** Handles every variant: a variant added in Rust makes `unhandled` a type error. */
function describe(error: FixtureError): string {
  if (error === "Forbidden") return "forbidden";
  if ("NotFound" in error) return `no ${error.NotFound.id}`;
  if ("Invalid" in error) return `invalid: ${error.Invalid}`;
  const unhandled: never = error;
  return unhandled;
}

test("each variant of an application error arrives typed", async () => {
  const seen: string[] = [];
  for (const which of [0, 1, 2]) {
    const error = await shapes.fail(which).then(() => assert.fail("it succeeded"), (error: unknown) => error);
    assert.ok(isAppError(error, shapes.fail), `${error}`);
    seen.push(describe(error.data));
  }
  assert.deepEqual(seen, ["no 7", "forbidden", "invalid: which = 2"]);
});

test("integers beyond 2^53 as number: sent as written, refused when answered", async () => {
  assert.equal(await shapes.wide(2 ** 53 - 1), 2 ** 53 - 1);
  assert.equal(await shapes.wide_text(2 ** 53 + 2), "9007199254740994");
  const error = await shapes.wide(2 ** 53 + 2).catch((error: unknown) => error);
  assert.ok(error instanceof RemotipyError && error.kind == "decode", `${error}`);
  assert.match(error.message, /9007199254740994 is beyond 2\^53/);
});

test("integers beyond 2^53 with --bigint: exact both ways", async () => {
  const exact = wide.createShapesClient(url);
  assert.equal(await exact.wide(2n ** 64n - 1n), 2n ** 64n - 1n);
  assert.equal(await exact.wide_text(2n ** 53n + 1n), "9007199254740993");
  assert.equal(await exact.wide(5), 5);
  assert.equal(await exact.wide(2n ** 53n + 1n), 2n ** 53n + 1n);
});

test("a stream is read to the end", async () => {
  const items: number[] = [];
  for await (const item of shapes.count(5, 0)) items.push(item);
  assert.deepEqual(items, [0, 1, 2, 3, 4]);
});

/** How many items the server produced, once it stopped producing (or after 3 s of it going on). */
async function settled(): Promise<number> {
  let last = await shapes.produced();
  for (let round = 0; round < 15; round++) {
    await sleep(200);
    const now = await shapes.produced();
    if (now == last) break;
    last = now;
  }
  return last;
}

test("leaving the loop cancels the stream: the server stops producing", async () => {
  const before = await settled();
  let seen = 0;
  for await (const _item of shapes.count(1_000_000, 20)) if (++seen == 3) break;
  const after = await settled();
  assert.ok(after - before < 10, `the server produced ${after - before} items for a reader that took 3`);
});

test("an AbortSignal cancels the stream: the server stops producing", async () => {
  const before = await settled();
  const controller = new AbortController();
  let seen = 0;
  const error = await (async () => {
    for await (const _item of shapes.withOptions({ signal: controller.signal }).count(1_000_000, 20)) {
      if (++seen == 3) controller.abort();
    }
  })().catch((error: unknown) => error);
  assert.ok(error instanceof RemotipyError && error.kind == "aborted", `${error}`);
  const after = await settled();
  assert.ok(after - before < 10, `the server produced ${after - before} items for a reader that took 3`);
});
