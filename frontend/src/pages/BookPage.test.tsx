import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, expect, it, vi } from "vitest";

import { json, renderShop, type Respond } from "../test-utils";

afterEach(() => vi.unstubAllGlobals());

const tour = {
  slug: "crete-by-boat",
  title: "Crete by boat",
  summary: "Sea and sun",
  description: "",
  destination: { slug: "crete", name: "Crete", country: "Greece" },
  category: { slug: "beach", name: "Beach" },
  duration_days: 5,
  price_from: "300.00",
  currency: "EUR",
  image_url: "",
  next_departure: "2026-12-06",
  departures: [{ id: 7, starts_on: "2026-12-06", price: "300.00", capacity: 12, seats_available: 5 }],
};

/** The tour from the catalog; bookings answered by `book`. */
const shop = (book: Respond): Respond => (request) =>
  request.method === "POST" ? book(request) : json(tour);

async function fillAndSubmit() {
  await userEvent.type(await screen.findByLabelText("Your name"), "Ada");
  await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
  await userEvent.click(screen.getByRole("button", { name: "Hold my seats" }));
}

it("retries after a network error with the same idempotency key", async () => {
  const keys: string[] = [];
  let attempts = 0;
  const { router } = renderShop("/tours/crete-by-boat/book/7", shop(async (request) => {
    keys.push(request.headers.get("Idempotency-Key")!);
    if (++attempts === 1) throw new TypeError("network down");
    return json({ reference: "BK-1", access_token: "secret" }, 201);
  }));
  await fillAndSubmit();
  await userEvent.click(await screen.findByRole("button", { name: "Try again" }));
  await vi.waitFor(() => expect(router.state.location.pathname).toBe("/bookings/BK-1/pay"));
  expect(keys).toHaveLength(2);
  expect(keys[1]).toBe(keys[0]);
  expect(sessionStorage.getItem("booking-token:BK-1")).toBe("secret");
});

it("shows the API's field error next to the field, and starts a new attempt after it", async () => {
  const keys: string[] = [];
  renderShop("/tours/crete-by-boat/book/7", shop(async (request) => {
    keys.push(request.headers.get("Idempotency-Key")!);
    return json({ status: 400, errors: { customer: { email: ["This domain does not take mail."] } } }, 400);
  }));
  await fillAndSubmit();
  const email = screen.getByLabelText("Email");
  expect(await screen.findByText("This domain does not take mail.")).toBeTruthy();
  expect(email.getAttribute("aria-invalid")).toBe("true");
  await userEvent.click(screen.getByRole("button", { name: "Hold my seats" }));
  await vi.waitFor(() => expect(keys).toHaveLength(2));
  expect(keys[1]).not.toBe(keys[0]);
});

it("checks the form in the browser before asking the API", async () => {
  const { fetch } = renderShop("/tours/crete-by-boat/book/7", shop(() => json({}, 500)));
  await userEvent.clear(await screen.findByLabelText("Seats"));
  await userEvent.type(screen.getByLabelText("Seats"), "9");
  await userEvent.click(screen.getByRole("button", { name: "Hold my seats" }));
  expect(screen.getByText("Choose between 1 and 5 seats.")).toBeTruthy();
  expect(screen.getByText("Please enter a valid email address.")).toBeTruthy();
  expect(fetch.mock.calls.filter(([request]) => request.method === "POST")).toHaveLength(0);
});
