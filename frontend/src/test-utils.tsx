/** Render the shop at a URL, with the API answered by `respond` (the network, not our code). */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { RouterProvider, createMemoryRouter } from "react-router";
import { vi } from "vitest";

import { I18nProvider } from "./i18n";
import { routes } from "./routes";

export type Respond = (request: Request) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  const type = status >= 400 ? "application/problem+json" : "application/json";
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": type } });
}

export function renderShop(url: string, respond: Respond) {
  const fetch = vi.fn(async (request: Request) => respond(request));
  vi.stubGlobal("fetch", fetch);
  const router = createMemoryRouter(routes, { initialEntries: [url] });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <RouterProvider router={router} />
      </I18nProvider>
    </QueryClientProvider>,
  );
  return { fetch, router };
}
