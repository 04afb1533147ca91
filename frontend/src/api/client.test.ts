import { describe, expect, it } from "vitest";

import { ApiError, newIdempotencyKey, unwrap } from "./client";

/** The ApiError a call ends in. */
const failure = (call: Promise<unknown>) => call.then(
  () => { throw new Error("expected the call to fail"); },
  (caught: unknown) => caught as ApiError,
);

const answer = (status: number, body: unknown) => ({
  data: status < 400 ? body : undefined,
  error: status >= 400 ? body : undefined,
  response: new Response(null, { status }),
});

describe("unwrap", () => {
  it("gives the data of a successful call", async () => {
    await expect(unwrap(Promise.resolve(answer(200, { count: 1 })))).resolves.toEqual({ count: 1 });
  });

  it("turns a problem into an ApiError with the API's detail", async () => {
    const problem = { status: 402, title: "The payment was declined", detail: "Card declined." };
    const error = await failure(unwrap(Promise.resolve(answer(402, problem))));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(402);
    expect(error.message).toBe("Card declined.");
    expect(error.unavailable).toBe(false);
  });

  it("calls a failed network, a bad gateway and a 503 unavailable", async () => {
    const network = await failure(unwrap(Promise.reject(new TypeError("fetch failed"))));
    expect(network.unavailable).toBe(true);
    for (const status of [502, 503, 504]) {
      const error = await failure(unwrap(Promise.resolve(answer(status, "<html>"))));
      expect(error.unavailable).toBe(true);
    }
  });

  it("finds the API's message for a nested field", () => {
    const error = new ApiError(400, { errors: { customer: { email: ["Enter a valid email."] } } });
    expect(error.fieldErrors("customer.email")).toEqual(["Enter a valid email."]);
    expect(error.fieldErrors("seats")).toEqual([]);
  });
});

it("makes a different idempotency key for each booking attempt", () => {
  const keys = new Set(Array.from({ length: 50 }, newIdempotencyKey));
  expect(keys.size).toBe(50);
  expect([...keys].every((key) => /^[0-9a-f]{32}$/.test(key))).toBe(true);
});
