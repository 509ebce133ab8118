// How the generated client reads in an application (type-checked, not run): the README's
// "From TypeScript" section, written against the example's checked-in client.

import {
  createCalculatorClient,
  createUsersClient,
  isAppError,
  RemotipyError,
  type MathError,
  type UserError,
  type UserInfo,
} from "./example.js";

const users = createUsersClient("http://127.0.0.1:3000/rpc", {
  headers: { authorization: "Bearer token" },
  timeoutMs: 5000,
});
const calc = createCalculatorClient(["http://10.0.0.1:3000/rpc", "http://10.0.0.2:3000/rpc"], { autoBatch: true });

/** What a caller shows for each of `find`'s errors: exhaustive, so a new variant fails to compile. */
function explain(error: UserError): string {
  if ("NotFound" in error) return `no user ${error.NotFound}`;
  const unhandled: never = error;
  return unhandled;
}

export async function main(signal: AbortSignal): Promise<string[]> {
  const lines: string[] = [];
  const user: UserInfo = await users.find(1);
  lines.push(user.email);
  try {
    await users.find(7);
  } catch (error) {
    if (isAppError(error, users.find)) lines.push(explain(error.data));
    else if (error instanceof RemotipyError) lines.push(`${error.kind}: ${error.message}`);
    else throw error;
  }
  const quotient = await calc.divide(1, 0).catch((error: unknown) => {
    if (!isAppError(error, calc.divide)) throw error;
    const why: MathError = error.data;
    return why == "DivisionByZero" ? Infinity : NaN;
  });
  lines.push(`${quotient}`);
  for await (const tick of calc.withOptions({ signal, timeoutMs: null }).ticks(10, 100)) {
    if (tick > 3) break;
    lines.push(`tick ${tick}`);
  }
  const [sum, product] = calc.batch((batch) => [batch.add(1, 2), batch.divide(6, 3)]);
  lines.push(`${(await sum) + (await product)}`);
  await users.withOptions({ headers: { "x-request-id": "42" } }).audit("done");
  return lines;
}
