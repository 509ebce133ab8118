// A client generated from an OpenRPC document remotipy did not write (tests/fixtures/foreign-openrpc.json),
// against a JSON-RPC server written here by hand as such a server would be: positional params, errors by
// code, a result without a schema (`unknown`), nested method names.

import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";

import { createPetShopClient, isAppError, type Pet } from "./foreign.js";

const pets: Pet[] = [
  { id: 1, name: "Rex", tag: "dog" },
  { id: 2, name: "Tom" },
];
const fed: unknown[] = [];

/** A plain JSON-RPC 2.0 server of the Pet Shop. */
function answer(method: string, params: unknown[]): { result: unknown } | { error: { code: number; message: string } } {
  switch (method) {
    case "list_pets":
      return { result: pets.slice(0, (params[0] as number | null) ?? pets.length) };
    case "get_pet": {
      const pet = pets.find((pet) => pet.id == params[0]);
      return pet ? { result: pet } : { error: { code: 404, message: "no such pet" } };
    }
    case "create_pet":
      return { result: { receipt: `welcome, ${(params[0] as Pet).name}` } };
    case "shop.status":
      return { result: { open: true, mood: "busy", note: null } };
    case "pet.feed":
      fed.push(params[0]);
      return { result: null };
    default:
      return { error: { code: -32601, message: `no method ${method}` } };
  }
}

const server = http.createServer(async (request, response) => {
  let body = "";
  for await (const chunk of request) body += chunk;
  const call = JSON.parse(body);
  assert.ok(Array.isArray(call.params), "params go by position");
  if (call.id === undefined) {
    answer(call.method, call.params);
    response.writeHead(204).end();
    return;
  }
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, ...answer(call.method, call.params) }));
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
server.unref();
const shop = createPetShopClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);

test("typed methods of a foreign document", async () => {
  assert.deepEqual(await shop.list_pets(1), [pets[0]]);
  assert.deepEqual(await shop.list_pets(), pets);
  const pet: Pet = await shop.get_pet(2);
  assert.equal(pet.name, "Tom");
  const status = await shop.shop.status();
  assert.ok(status.mood == "busy" && status.open && status.note === null);
});

test("untyped where the document says nothing", async () => {
  const receipt: unknown = await shop.create_pet({ name: "Kit" });
  assert.deepEqual(receipt, { receipt: "welcome, Kit" });
});

test("an error known by its code is the method's own", async () => {
  const error = await shop.get_pet(9).catch((error: unknown) => error);
  assert.ok(isAppError(error, shop.get_pet), `${error}`);
  assert.equal(error.code, 404);
  assert.equal(error.data, undefined);
});

test("a method without a result is a notification", async () => {
  assert.equal(await shop.pet.feed(1), undefined);
  assert.deepEqual(fed, [1]);
});
