// The example's checked-in client in a browser (headless Chromium, driven by tests/browser/check.py),
// against the example server with `--allow-origin`: each check's outcome goes to
// `globalThis.remotipyResults` for the driver to read.

import { createCalculatorClient, createUsersClient, isAppError, RemotipyError } from "./example.js";

interface Config {
  /** The example server. */
  server: string;
  /** Where nothing listens. */
  dead: string;
  /** Accepts connections and never answers. */
  silent: string;
}

const config = (globalThis as unknown as { REMOTIPY: Config }).REMOTIPY;
const users = createUsersClient(config.server);
const calc = createCalculatorClient(config.server);

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

async function failure(call: Promise<unknown>): Promise<RemotipyError> {
  const error = await call.then(() => new Error("it succeeded"), (error: unknown) => error);
  check(error instanceof RemotipyError, `${error}`);
  return error as RemotipyError;
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const checks: Record<string, () => Promise<void>> = {
  async "every method"() {
    const ada = { first_name: "Ada", last_name: "Lovelace", email: "ada@example.org" };
    check((await users.greet(ada)).message == "Hello, Ada Lovelace!", "greet");
    check((await users.find(1)).email == "ada@example.org", "find");
    check((await users.audit("from a browser")) === undefined, "audit");
    check((await calc.add(40, 2)) == 42, "add");
    check((await calc.divide(1, 4)) == 0.25, "divide");
    check(JSON.stringify(await collect(calc.ticks(3, 10))) == "[1,2,3]", "ticks");
  },
  async "typed application errors"() {
    const error = await failure(users.find(7));
    check(isAppError(error, users.find) && error.data.NotFound == 7, error.message);
    const zero = await failure(calc.divide(1, 0));
    check(isAppError(zero, calc.divide) && zero.data == "DivisionByZero", zero.message);
  },
  async "a stream left early, and one aborted"() {
    const seen: number[] = [];
    for await (const tick of calc.ticks(1000, 50)) if (seen.push(tick) == 2) break;
    check(seen.join() == "1,2", seen.join());
    const controller = new AbortController();
    const error = await failure(
      (async () => {
        for await (const tick of calc.withOptions({ signal: controller.signal }).ticks(1000, 50)) if (tick == 2) controller.abort();
      })(),
    );
    check(error.kind == "aborted", error.message);
    check((await calc.add(1, 1)) == 2, "a call after");
  },
  async "batches, explicit and automatic"() {
    const bodies: string[] = [];
    const counting: typeof fetch = (input, init) => (bodies.push(String(init?.body)), fetch(input, init));
    const [sum, zero] = createCalculatorClient(config.server, { fetch: counting }).batch((b) => [b.add(1, 2), b.divide(1, 0)]);
    check((await sum) == 3, "sum");
    check((await failure(zero)).kind == "app", "zero");
    const auto = createCalculatorClient(config.server, { autoBatch: true, fetch: counting });
    const sums = await Promise.all(Array.from({ length: 100 }, (_, i) => auto.add(i, 1)));
    check(sums.every((sum, i) => sum == i + 1), "sums");
    check(bodies.length == 2 && JSON.parse(bodies[1]!).length == 100, `${bodies.length} requests`);
  },
  async "timeouts"() {
    const call = await failure(createCalculatorClient(config.silent, { timeoutMs: 200 }).add(1, 2));
    check(call.kind == "timeout", call.message);
    const idle = createCalculatorClient(config.server, { streamIdleMs: 200 }).ticks(2, 5000);
    const error = await failure(collect(idle));
    check(error.kind == "timeout", error.message);
  },
  async "failover from a dead URL"() {
    const failover = createCalculatorClient([config.dead, config.server]);
    for (let i = 0; i < 3; i++) check((await failover.add(i, 1)) == i + 1, `add ${i}`);
    const once = await failure(createCalculatorClient([config.dead, config.server]).divide(1, 2));
    check(once.kind == "transport", once.message);
  },
};

const results: { name: string; ok: boolean; error?: string }[] = [];
for (const [name, run] of Object.entries(checks)) {
  try {
    await run();
    results.push({ name, ok: true });
  } catch (error) {
    results.push({ name, ok: false, error: `${error}` });
  }
}
(globalThis as unknown as { remotipyResults: unknown }).remotipyResults = { done: true, results };
