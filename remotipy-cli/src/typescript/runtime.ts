// ---- remotipy runtime: the same in every generated module (docs/typescript.md) ----

/** What went wrong with a call: see {@link RemotipyError}. */
export type ErrorKind = "app" | "protocol" | "status" | "timeout" | "transport" | "decode" | "aborted";

/**
 * Every failure of a remote call. `kind` says what went wrong:
 * - `app`: the method's own error: `data` is its value, typed by {@link isAppError}, `type` its Rust type;
 * - `protocol`: any other JSON-RPC error (`code`, `data`): unknown method, invalid params, deadline exceeded;
 * - `status`: an HTTP status without a JSON-RPC answer (`status`);
 * - `timeout`: the call's time (`timeoutMs`) ran out;
 * - `transport`: the request or its answer could not travel (refused, reset, a stream broken off);
 * - `decode`: the answer is not JSON-RPC's JSON (or holds an integer beyond 2^53, without `--bigint`);
 * - `aborted`: the call's `signal` aborted it.
 */
export class RemotipyError extends Error {
  /** What went wrong. */
  declare readonly kind: ErrorKind;
  /** The method's wire name; `"batch"` for a batch as a whole. */
  declare readonly method: string;
  /** The JSON-RPC error code (`app`, `protocol`). */
  declare readonly code?: number;
  /** The HTTP status (`status`). */
  declare readonly status?: number;
  /** `app`: the error's value (`error.data.value`); `protocol`: the error's `data`. */
  declare readonly data?: unknown;
  /** `app`: the error's Rust type (`error.data.type`). */
  declare readonly type?: string;

  constructor(kind: ErrorKind, method: string, message: string, more?: { code?: number; status?: number; data?: unknown; type?: string | undefined; cause?: unknown }) {
    super(`${method}: ${message}`, more);
    Object.assign(this, { name: "RemotipyError", kind, method }, more);
  }
}

/** A call's options, per client and per call (`withOptions`). */
export interface CallOptions {
  /** Headers sent with each request, over the client's. */
  headers?: { [name: string]: string };
  /**
   * How long a call may take in milliseconds, retries included (default 60 000; `null`: no limit),
   * sent as `Remotipy-Timeout-Ms`. A stream's bounds the wait for its first item.
   */
  timeoutMs?: number | null;
  /** Aborting it ends the call (`kind: "aborted"`) or the stream. */
  signal?: globalThis.AbortSignal;
}

/** A client's options. */
export interface ClientOptions extends CallOptions {
  /** Calls made in the same tick travel as one JSON-RPC batch, each with its own result and timeout. */
  autoBatch?: boolean;
  /** Attempts of a call of an idempotent method, the first included (default 3). */
  attempts?: number;
  /** One attempt's time in milliseconds, after which an idempotent call is retried (default: the call's). */
  attemptTimeoutMs?: number;
  /** A started stream fails after this many milliseconds without a byte (default 60 000). */
  streamIdleMs?: number;
  /** A resumable stream reconnects at most this many times in a row without an item (default 10). */
  reconnects?: number;
  /** The `fetch` to call (default: the platform's). */
  fetch?: typeof fetch;
}

declare const appError: unique symbol;

/** A call's result, or a {@link RemotipyError} whose app error is `E` (see {@link isAppError}). */
export interface Remote<R, E = never> extends globalThis.Promise<R> {
  readonly [appError]?: E;
}

/**
 * A streaming method's items, read with `for await`; leaving the loop, or the call's `signal`,
 * cancels the stream. It fails with a {@link RemotipyError} whose app error is `E`.
 */
export interface RemoteStream<T, E = never> extends globalThis.AsyncIterableIterator<T> {
  readonly [appError]?: E;
}

/** Whether `error` is `method`'s own error (`kind: "app"`): narrows `error.data` to its type. */
export function isAppError<E>(
  error: unknown,
  method: (...args: never[]) => Remote<unknown, E> | RemoteStream<unknown, E>,
): error is RemotipyError & { readonly kind: "app"; readonly data: E } {
  return error instanceof RemotipyError && error.kind == "app" && error.method == (method as { method?: string }).method;
}

const NOTIFICATION = 1, STREAM = 2, RESUMABLE = 4, IDEMPOTENT = 8, POSITIONAL = 16;

/** A method as the generated table gives it: wire name, marks, param names, error types (or codes). */
type RemotipySpec = readonly [method: string, marks: number, params: readonly string[], errors?: readonly (string | number)[]];

/** What the clients of one `create...Client` share. */
interface RemotipyState {
  urls: string[];
  next: number;
  /** Until when each URL is skipped, after a connection to it failed. */
  down: number[];
  id: number;
  options: ClientOptions;
  /** Automatic batching's calls waiting for the end of the tick, by headers and idempotency. */
  queues: globalThis.Map<string, RemotipyCall[]> | undefined;
}

/** One call on its way. */
interface RemotipyCall {
  spec: RemotipySpec;
  request: { id?: number };
  headers: RemotipyHeaders;
  deadline: number;
  done?: boolean;
  settle(error?: RemotipyError, result?: unknown): void;
  /** Called once it has settled. */
  settled?: () => void;
}

/** Calls collected by `batch`, sent once its `build` returns. */
type RemotipyBatch = { calls: RemotipyCall[]; open: boolean };
type RemotipyHeaders = { [name: string]: string };
// The runtime's own names start with `Remotipy` and global types are `globalThis.`'s, so that a
// schema called `Batch`, `Response` or `Map` takes nothing from it.
type RemotipyJson = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function client<C>(url: string | readonly string[], options: ClientOptions = {}, specs: readonly RemotipySpec[]): C {
  const state = { urls: [url].flat(), next: 0, down: [], id: 0, options, queues: options.autoBatch ? new Map() : undefined };
  return bind(state, options, specs) as C;
}

/** The client object: a function per method (nested at the dots of its name), `withOptions`, `batch`. */
function bind(state: RemotipyState, options: CallOptions, specs: readonly RemotipySpec[], batch?: RemotipyBatch): object {
  const api: RemotipyJson = {
    withOptions: (more: CallOptions) =>
      bind(state, { ...options, ...more, headers: { ...options.headers, ...more.headers } }, specs, batch),
    batch(build: (client: object) => unknown) {
      const calls: RemotipyBatch = { calls: [], open: true };
      try {
        return build(bind(state, options, specs, calls));
      } finally {
        calls.open = false;
        if (calls.calls.length) send(state, calls.calls, true);
      }
    },
  };
  for (const spec of specs) {
    const path = spec[0].split("."), key = path.pop()!;
    let at = api;
    for (const name of path) at = at[name] ??= {};
    at[key] = Object.assign((...args: unknown[]) => invoke(state, options, spec, args, batch), { method: spec[0] });
  }
  return api;
}

function invoke(state: RemotipyState, options: CallOptions, spec: RemotipySpec, args: unknown[], batch?: RemotipyBatch) {
  const [method, marks, names] = spec;
  while (args.length && args[args.length - 1] === undefined) args.pop();
  const params: RemotipyJson = marks & POSITIONAL ? args.map((arg) => arg ?? null) : {};
  if (!(marks & POSITIONAL)) args.forEach((arg, i) => arg !== undefined && (params[names[i]!] = arg));
  const request: RemotipyJson = { jsonrpc: "2.0", method, params };
  if (!(marks & NOTIFICATION)) request.id = ++state.id;
  if (marks & STREAM) return items(state, options, spec, request);
  const { signal } = options, ms = timeout(options);
  return new Promise((resolve, reject) => {
    const call: RemotipyCall = {
      spec,
      request,
      headers: options.headers ?? {},
      deadline: ms == null ? Infinity : Date.now() + ms,
      settle(error, result) {
        if (call.done) return;
        call.done = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", abort);
        error ? reject(error) : resolve(result);
        call.settled?.();
      },
    };
    const abort = () => call.settle(new RemotipyError("aborted", method, "aborted", { cause: signal!.reason }));
    const timer = ms == null ? undefined : setTimeout(() => call.settle(new RemotipyError("timeout", method, `no answer within ${ms} ms`)), ms);
    if (signal?.aborted) return abort();
    signal?.addEventListener("abort", abort);
    if (batch?.open) batch.calls.push(call);
    else if (state.queues) enqueue(state, state.queues, call);
    else send(state, [call], false);
  });
}

function timeout(options: CallOptions): number | null {
  return options.timeoutMs === undefined ? 60000 : options.timeoutMs;
}

/** Automatic batching: the calls of one tick (with the same headers and idempotency) go together. */
function enqueue(state: RemotipyState, queues: globalThis.Map<string, RemotipyCall[]>, call: RemotipyCall) {
  const key = JSON.stringify(call.headers) + (call.spec[1] & IDEMPOTENT);
  let queue = queues.get(key);
  if (!queue) {
    const calls: RemotipyCall[] = (queue = []);
    queues.set(key, calls);
    queueMicrotask(() => {
      queues.delete(key);
      // A remotipy server takes up to 1024 calls a batch.
      for (let i = 0; i < calls.length; i += 1024) send(state, calls.slice(i, i + 1024), calls.length > 1);
    });
  }
  queue.push(call);
}

/** Sends calls, as one request or one batch, and settles each with its answer. */
async function send(state: RemotipyState, calls: RemotipyCall[], asBatch: boolean) {
  calls = calls.filter((call) => !call.done);
  if (!calls.length) return;
  const first = calls[0]!, method = asBatch ? "batch" : first.spec[0], stop = new AbortController();
  // The request is given up once every call in it has settled (timed out, aborted) before its answer.
  let waiting = true;
  for (const call of calls) call.settled = () => waiting && calls.every((call) => call.done) && stop.abort();
  try {
    const [response, text] = await post(state, {
      method,
      body: encode(asBatch ? calls.map((call) => call.request) : first.request),
      idempotent: calls.every((call) => call.spec[1] & IDEMPOTENT),
      headers: first.headers,
      deadline: Math.max(...calls.map((call) => call.deadline)),
      signal: stop.signal,
    });
    waiting = false;
    const answer = parse(method, response, text);
    if (asBatch && answer?.error) throw fail(["batch", 0, []], answer.error);
    for (const call of calls) {
      const id = call.request.id;
      if (id === undefined) call.settle();
      else call.settle(...outcome(call.spec, asBatch ? [answer].flat().find((a) => a?.id === id) : answer));
    }
  } catch (error) {
    for (const call of calls) call.settle(error as RemotipyError);
  }
}

/** An answer's JSON; a decode error, or a status error when it is neither 2xx nor a JSON-RPC error. */
function parse(method: string, response: globalThis.Response, text: string): RemotipyJson {
  let answer: RemotipyJson;
  try {
    answer = text ? decode(text) : undefined;
  } catch (error) {
    if (response.ok) throw new RemotipyError("decode", method, `${error}`, { cause: error });
  }
  if (!response.ok && ![answer].flat().some((a) => a?.error)) {
    throw new RemotipyError("status", method, `HTTP ${response.status} ${text.slice(0, 200)}`, { status: response.status });
  }
  return answer;
}

/** A JSON-RPC response as a call's outcome: `[error]` or `[undefined, result]`. */
function outcome(spec: RemotipySpec, answer: RemotipyJson): [error: RemotipyError | undefined, result?: unknown] {
  if (answer && typeof answer == "object" && "result" in answer) return [undefined, answer.result];
  if (answer?.error && typeof answer.error == "object") return [fail(spec, answer.error)];
  return [new RemotipyError("protocol", spec[0], "no answer to this call")];
}

/** A JSON-RPC error object: the method's own error (by its Rust type, or its code), or a protocol error. */
function fail(spec: RemotipySpec, error: RemotipyJson): RemotipyError {
  const { code, message, data } = error, typed = spec[3]?.includes(data?.type);
  return new RemotipyError(typed || spec[3]?.includes(code) ? "app" : "protocol", spec[0], String(message), {
    code,
    data: typed ? data.value : data,
    type: typed ? data.type : undefined,
  });
}

interface RemotipyPost {
  method: string;
  body: string;
  idempotent: unknown;
  headers: RemotipyHeaders;
  deadline: number;
  signal: globalThis.AbortSignal;
  /** A stream's request: accepts events, its body is left to read. */
  stream?: boolean;
  lastEventId?: string | undefined;
}

/**
 * POSTs `body`, retrying an idempotent call on the next URL after a connection failure, an attempt's
 * timeout or HTTP 502/503/504 (after their `Retry-After`, if the call has that long left).
 */
async function post(state: RemotipyState, req: RemotipyPost): globalThis.Promise<[globalThis.Response, string]> {
  const { options, urls, down } = state, attempts = req.idempotent ? options.attempts ?? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const i = pick(state), left = req.deadline - Date.now(), limit = options.attemptTimeoutMs;
    // An attempt with a time of its own ends by itself or with the call.
    const own = limit ? new AbortController() : undefined, signal = own?.signal ?? req.signal;
    const cancel = () => own?.abort(), timer = limit && setTimeout(cancel, limit);
    if (own) req.signal.addEventListener("abort", cancel);
    const headers: RemotipyHeaders = {
      "content-type": "application/json",
      accept: req.stream ? "text/event-stream, application/json" : "application/json",
      ...req.headers,
    };
    if (left < Infinity) headers["remotipy-timeout-ms"] = `${Math.max(1, Math.ceil(left))}`;
    if (req.lastEventId !== undefined) headers["last-event-id"] = req.lastEventId;
    let failure: RemotipyError, wait = Math.random() * Math.min(1000, 10 * 2 ** attempt);
    try {
      const fetch_ = options.fetch ?? fetch;
      const response = await fetch_(urls[i]!, { method: "POST", headers, body: req.body, signal });
      const { status } = response, busy = status > 501 && status < 505;
      const after = busy ? Number(response.headers.get("retry-after") ?? NaN) * 1000 : NaN;
      if (after >= 0) wait = after;
      if (!busy || attempt >= attempts || Date.now() + wait >= req.deadline) {
        return [response, req.stream ? "" : await response.text()];
      }
      failure = new RemotipyError("status", req.method, `HTTP ${status}`, { status });
      response.body?.cancel().catch(() => {});
    } catch (error) {
      if (req.signal.aborted) throw req.signal.reason;
      const late = signal.aborted;
      if (!late) down[i] = Date.now() + 1000;
      failure = late
        ? new RemotipyError("timeout", req.method, `attempt took over ${limit} ms`)
        : new RemotipyError("transport", req.method, `${urls[i]}: ${error}`, { cause: error });
      if (attempt >= attempts || Date.now() + wait >= req.deadline) throw failure;
    } finally {
      clearTimeout(timer || undefined);
      // A stream's attempt stays linked to the stream while it is read.
      if (!req.stream) req.signal.removeEventListener("abort", cancel);
    }
    await sleep(wait, req.signal);
  }
}

/** The next URL in turn, skipping those whose connections failed in the last second. */
function pick(state: RemotipyState): number {
  const { urls, down } = state, now = Date.now();
  for (let k = 0; k < urls.length; k++) {
    const i = state.next++ % urls.length;
    if (!(down[i]! > now)) return i;
  }
  return state.next++ % urls.length;
}

/** Waits `ms`, or rejects once `signal` aborts (the listener goes with the short-lived signal). */
function sleep(ms: number, signal: globalThis.AbortSignal): globalThis.Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}

/**
 * A streaming method's items: the request POSTed accepting events, each `rpc.item` event's result
 * yielded, ending with the response event. A resumable stream that breaks off is POSTed again
 * (to the next URL) with `Last-Event-ID`, and the server continues after that item.
 */
async function* items(state: RemotipyState, options: CallOptions, spec: RemotipySpec, request: object) {
  const [method, marks] = spec, { signal } = options, ms = timeout(options), idleMs = state.options.streamIdleMs ?? 60000;
  const stop = new AbortController(), body = encode(request);
  let timer: globalThis.ReturnType<typeof setTimeout> | undefined, received = 0, fruitless = 0, lastId: string | undefined;
  const abort = () => stop.abort(new RemotipyError("aborted", method, "aborted", { cause: signal!.reason }));
  const arm = (ms: number | null) => {
    clearTimeout(timer);
    if (ms != null) timer = setTimeout(() => stop.abort(new RemotipyError("timeout", method, `silent for ${ms} ms`)), ms);
  };
  if (signal?.aborted) abort();
  signal?.addEventListener("abort", abort);
  try {
    for (;;) {
      let broke: unknown;
      arm(received ? idleMs : ms);
      try {
        const [response] = await post(state, {
          method,
          body,
          // Resuming reads what follows an item: it may be sent again.
          idempotent: marks & IDEMPOTENT || fruitless,
          headers: options.headers ?? {},
          deadline: ms == null ? Infinity : Date.now() + ms,
          signal: stop.signal,
          stream: true,
          lastEventId: lastId,
        });
        if (!response.headers.get("content-type")?.startsWith("text/event-stream")) {
          // One answer: an error before the stream started, or the items collected.
          const [error, result] = outcome(spec, parse(method, response, await response.text()));
          if (error) throw error;
          yield* result as unknown[];
          return;
        }
        for await (const [data, id] of events(response.body!, () => received && arm(idleMs))) {
          const message = decodeEvent(method, data);
          if (message?.method != "rpc.item") {
            const [error] = outcome(spec, message);
            if (error) throw error;
            return;
          }
          received++;
          fruitless = 0;
          lastId = id;
          arm(idleMs);
          yield message.params?.result;
        }
        broke = "closed early";
      } catch (error) {
        if (stop.signal.aborted) throw stop.signal.reason;
        // A RemotipyError is an answer (or a failed request); anything else, the connection failing.
        if (error instanceof RemotipyError && (error.kind != "transport" || !(marks & RESUMABLE))) throw error;
        broke = error;
      }
      if (!(marks & RESUMABLE) || (received && lastId === undefined) || fruitless++ >= (state.options.reconnects ?? 10)) {
        throw new RemotipyError("transport", method, `stream broke off after ${received} items: ${broke}`, { cause: broke });
      }
      await sleep(Math.random() * Math.min(1000, 10 * 2 ** fruitless), stop.signal);
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", abort);
    stop.abort();
  }
}

/** An event's JSON-RPC message. */
function decodeEvent(method: string, data: string): RemotipyJson {
  try {
    return decode(data);
  } catch (error) {
    throw new RemotipyError("decode", method, `${error}`, { cause: error });
  }
}

/** The events of a Server-Sent Events body: `[data, last id]`; comments and empty data skipped. */
async function* events(
  body: globalThis.ReadableStream<globalThis.Uint8Array>,
  read: () => unknown,
): globalThis.AsyncGenerator<[string, string | undefined]> {
  const reader = body.getReader(), decoder = new TextDecoder();
  let buffer = "", data: string | undefined, id: string | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      read();
      const lines = (buffer += decoder.decode(value, { stream: true })).split(/\r?\n/);
      buffer = lines.pop()!;
      for (const line of lines) {
        if (!line) {
          if (data) yield [data, id];
          data = undefined;
          continue;
        }
        // `field: value` (one space after the colon dropped), or a field alone; a comment's field is "".
        const [, field, value] = /^([^:]*):? ?(.*)/.exec(line)!;
        if (field == "data") data = data === undefined ? value! : `${data}\n${value}`;
        else if (field == "id") id = value;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
