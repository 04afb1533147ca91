import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, expect, it, vi } from "vitest";

import { json, renderShop } from "../test-utils";

afterEach(() => vi.unstubAllGlobals());

const page = (results: unknown[] = []) => ({ count: results.length, next: null, previous: null, results });
const facets = (request: Request) => {
  const path = new URL(request.url).pathname;
  if (path.endsWith("/destinations/")) return json([{ slug: "crete", name: "Crete", country: "Greece" }]);
  if (path.endsWith("/categories/")) return json([{ slug: "beach", name: "Beach" }]);
  return null;
};

it("asks the API for the filters in the URL and shows them in the form", async () => {
  const { fetch } = renderShop("/?destination=crete&available=true&ordering=price&price_max=900", (request) =>
    facets(request) ?? json(page()),
  );
  expect(await screen.findByText("No tour matches these filters. Try fewer filters.")).toBeTruthy();
  const tours = fetch.mock.calls
    .map(([request]) => new URL(request.url))
    .find((url) => url.pathname === "/api/catalog/tours/")!;
  expect(Object.fromEntries(tours.searchParams)).toEqual({
    destination: "crete",
    available: "true",
    ordering: "price",
    price_max: "900",
  });
  expect((screen.getByLabelText("Only tours with seats left") as HTMLInputElement).checked).toBe(true);
  expect((await screen.findByRole("option", { name: "Crete" }) as HTMLOptionElement).selected).toBe(true);
});

it("puts the chosen filters in the URL", async () => {
  const { router } = renderShop("/", (request) => facets(request) ?? json(page()));
  await screen.findByRole("option", { name: "Beach" });
  await userEvent.selectOptions(screen.getByLabelText("Category"), "beach");
  await userEvent.type(screen.getByLabelText("Search"), "sea");
  await userEvent.click(screen.getByRole("button", { name: "Show tours" }));
  expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({
    search: "sea",
    category: "beach",
  });
});

it("says the service is unavailable on a 503 and tries again when asked", async () => {
  let down = true;
  renderShop("/", (request) =>
    facets(request) ??
    (down ? json({ status: 503, title: "A service this request depends on is unavailable" }, 503) : json(page())),
  );
  expect((await screen.findByRole("alert")).textContent).toContain("temporarily unavailable");
  down = false;
  await userEvent.click(screen.getByRole("button", { name: "Try again" }));
  expect(await screen.findByText(/No tour matches/)).toBeTruthy();
});
