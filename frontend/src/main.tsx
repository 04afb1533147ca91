import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider, createBrowserRouter } from "react-router";

import { routes } from "./routes";
import { I18nProvider } from "./i18n";
import "./styles.css";

const queryClient = new QueryClient({
  // The pages offer their own "try again"; a failed read shows at once.
  defaultOptions: { queries: { retry: false, staleTime: 10_000 } },
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <I18nProvider>
        <RouterProvider router={createBrowserRouter(routes)} />
      </I18nProvider>
    </QueryClientProvider>
  </StrictMode>,
);
