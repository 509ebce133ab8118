// Mistakes the generated types must catch. Each `@ts-expect-error` must meet an error, or tsc fails;
// the Rust test also checks that without the comments each line is an error.

import { createCalculatorClient, createUsersClient, isAppError, type Greeting } from "./example.js";
import { createShapesClient, isAppError as isFixtureError, type FixtureError, type Profile, type Shape, type Event, type Message } from "./fixture.js";

const users = createUsersClient("http://127.0.0.1:3000/rpc");
const calc = createCalculatorClient("http://127.0.0.1:3000/rpc");
const shapes = createShapesClient("http://127.0.0.1:3000/rpc");

export async function mistakes(error: unknown): Promise<void> {
  // @ts-expect-error: wrong argument type
  await calc.add("1", 2);
  // @ts-expect-error: missing argument
  await calc.add(1);
  // @ts-expect-error: too many arguments
  await calc.add(1, 2, 3);
  // @ts-expect-error: unknown method
  await calc.multiply(1, 2);
  // @ts-expect-error: a method of another trait
  await calc.find(1);
  // @ts-expect-error: a struct missing a required field
  await users.greet({ first_name: "Ada", last_name: "Lovelace" });
  // @ts-expect-error: a field the struct does not have
  await users.greet({ first_name: "Ada", last_name: "Lovelace", email: "a@b", age: 36 });
  const greeting: Greeting = await users.greet({ first_name: "Ada", last_name: "Lovelace", email: "a@b" });
  // @ts-expect-error: a field the result does not have
  greeting.text;
  // @ts-expect-error: a result is not of another type
  const sum: string = await calc.add(1, 2);
  // @ts-expect-error: an externally tagged variant that does not exist
  const shape: Shape = { Triangle: 3 };
  // @ts-expect-error: a variant's content of the wrong type
  const circle: Shape = { Circle: "big" };
  // @ts-expect-error: an internally tagged enum with an unknown tag
  const event: Event = { kind: "paused" };
  // @ts-expect-error: an adjacently tagged variant with the wrong content
  const message: Message = { t: "Pair", c: [1] };
  // @ts-expect-error: a unit-only enum's unknown variant
  await shapes.color("blue");
  // @ts-expect-error: a tuple of the wrong length
  const position: Profile["position"] = [1, 2];
  // @ts-expect-error: a map's value of the wrong type
  const attributes: Profile["attributes"] = { age: "old" };
  // @ts-expect-error: a stream is not a promise
  await calc.ticks(3, 10).then(() => {});
  // @ts-expect-error: a notification answers nothing to use
  const audited: string = await users.audit("line");
  if (isFixtureError(error, shapes.fail)) {
    const data: FixtureError = error.data;
    if (data === "Forbidden" || "NotFound" in data) return;
    // @ts-expect-error: an unhandled error variant (`Invalid`)
    const unhandled: never = data;
    void unhandled;
  }
  if (isAppError(error, users.find)) {
    // @ts-expect-error: `find`'s error is not `divide`'s
    const wrong: "DivisionByZero" = error.data;
    void wrong;
  }
  void [sum, shape, circle, event, message, position, attributes, audited];
}
