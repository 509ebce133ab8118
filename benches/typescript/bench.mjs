// Time per `add` call: the generated client against the same request written by hand with fetch,
// then automatic batching at CALLERS concurrent callers against the same calls unbatched. Rounds
// are interleaved (the order alternating), a warm-up round first; ratios are per-round pairs,
// reported as median [min–max]. Run by ./run, which starts the server.

import { readFileSync } from "node:fs";

const url = process.env.REMOTIPY_URL;
const serverPid = process.env.REMOTIPY_SERVER_PID;
const { createCalculatorClient } = await import(process.env.REMOTIPY_CLIENT);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const CALLS = Number(process.env.CALLS ?? 5000);
const CALLERS = Number(process.env.CALLERS ?? 32);

/** The same call, written by hand: POST the JSON-RPC request, read the JSON answer. */
let id = 0;
async function byHand(a, b, signal) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method: "add", params: { a, b } }),
    signal,
  });
  const answer = await response.json();
  if (answer.error) throw new Error(answer.error.message);
  return answer.result;
}

const generated = createCalculatorClient(url);
const batched = createCalculatorClient(url, { autoBatch: true });
const add = {
  "by hand": byHand,
  // What the generated client guarantees too: the request is aborted when its time (60 s) runs out.
  "by hand, timeout": (a, b) => byHand(a, b, AbortSignal.timeout(60_000)),
  generated: (a, b) => generated.add(a, b), "auto-batch": (a, b) => batched.add(a, b) };

/** The server's CPU so far, in µs (utime + stime from /proc, in clock ticks of 10 ms). */
function serverCpu() {
  const fields = readFileSync(`/proc/${serverPid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** `calls` calls of `name` by `callers` concurrent callers: wall and CPU µs per call. */
async function measure(name, callers, calls) {
  const call = add[name];
  const [wall, cpu, server] = [performance.now(), process.cpuUsage(), serverCpu()];
  await Promise.all(
    Array.from({ length: callers }, async (_, caller) => {
      for (let i = 0; i < calls / callers; i++) {
        const sum = await call(caller, i);
        if (sum !== caller + i) throw new Error(`${name}: ${caller} + ${i} = ${sum}`);
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    wall: ((performance.now() - wall) * 1000) / calls,
    client: (used.user + used.system) / calls,
    server: (serverCpu() - server) / calls,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${median(xs).toFixed(2)} [${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}]`;

/** Interleaved rounds of `names` (order alternating), after a warm-up; per-round ratios of the last to each other. */
async function compare(title, names, callers, cost) {
  console.log(`\n${title} (${CALLS} calls a round, ${callers} caller${callers > 1 ? "s" : ""})`);
  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round <= ROUNDS; round++) {
    const order = round % 2 ? [...names].reverse() : names;
    for (const name of order) {
      const result = await measure(name, callers, CALLS);
      if (round > 0) results[name].push(result);
    }
  }
  for (const name of names) {
    const rs = results[name];
    console.log(
      `  ${name.padEnd(16)} wall ${range(rs.map((r) => r.wall))} µs/call   client CPU ${range(rs.map((r) => r.client))}` +
        `   server CPU ${range(rs.map((r) => r.server))}`,
    );
  }
  const ours = names.at(-1);
  for (const base of names.slice(0, -1)) {
    const ratios = results[ours].map((r, i) => cost(r) / cost(results[base][i]));
    console.log(`  ratio ${ours} / ${base}: ${range(ratios)}`);
  }
}

await compare("time per `add`: generated client against fetch by hand", ["by hand", "by hand, timeout", "generated"], 1, (r) => r.wall);
await compare(
  "automatic batching: client + server CPU per call against unbatched calls",
  ["generated", "auto-batch"],
  CALLERS,
  (r) => r.client + r.server,
);
