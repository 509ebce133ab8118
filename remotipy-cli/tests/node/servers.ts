// Small HTTP servers the Node tests call beside the real ones: one that never answers (timeouts,
// aborts), one that answers as told (statuses, Retry-After, headers), a proxy that cuts an event
// stream after a few items (resumption), and a URL where nothing listens (failover).

import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";

/** Where a server listens, as a client's URL. */
function urlOf(server: net.Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/rpc`;
}

async function listen<S extends net.Server>(server: S): Promise<S> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return server;
}

/** A URL where nothing listens: a port that was free a moment ago. */
export async function deadUrl(): Promise<string> {
  const server = await listen(net.createServer());
  const url = urlOf(server);
  await new Promise((resolve) => server.close(resolve));
  return url;
}

/** Accepts connections and never answers; keeps what each request sent. */
export async function silent(): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = await listen(
    net.createServer((socket) => {
      const at = requests.push("") - 1;
      socket.on("data", (bytes) => (requests[at] += bytes.toString()));
      socket.on("error", () => {});
    }),
  );
  return { url: urlOf(server), requests };
}

/** One request as the scripted server saw it. */
export interface Seen {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the scripted server answers: a status, headers, a body. */
export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
}

/** Answers each request with `script(request, index)`; keeps what each sent. */
export async function scripted(script: (seen: Seen, index: number) => Answer): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = await listen(
    http.createServer(async (request, response) => {
      let body = "";
      for await (const chunk of request) body += chunk;
      const at = seen.push({ headers: request.headers, body }) - 1;
      const answer = script(seen[at]!, at);
      response.writeHead(answer.status ?? 200, { "content-type": "application/json", ...answer.headers });
      response.end(answer.body ?? "");
    }),
  );
  return { url: urlOf(server), seen };
}

/**
 * Forwards to `target`; the first event stream through it is cut (its socket destroyed) once
 * `cutAfter` items went through. Keeps each request's `Last-Event-ID`.
 */
export async function cuttingProxy(target: string, cutAfter: number): Promise<{ url: string; lastEventIds: (string | undefined)[] }> {
  const lastEventIds: (string | undefined)[] = [];
  const server = await listen(
    http.createServer(async (request, response) => {
      let body = "";
      for await (const chunk of request) body += chunk;
      const lastEventId = request.headers["last-event-id"] as string | undefined;
      const first = lastEventIds.push(lastEventId) == 1;
      const headers: Record<string, string> = { "content-type": "application/json", accept: String(request.headers.accept) };
      if (lastEventId !== undefined) headers["last-event-id"] = lastEventId;
      const upstream = await fetch(target, { method: "POST", headers, body });
      response.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "" });
      let items = 0;
      for await (const chunk of upstream.body!) {
        response.write(chunk);
        items += Buffer.from(chunk).toString().split('"rpc.item"').length - 1;
        if (first && items >= cutAfter) {
          response.destroy();
          await upstream.body!.cancel().catch(() => {});
          return;
        }
      }
      response.end();
    }),
  );
  return { url: urlOf(server), lastEventIds };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
