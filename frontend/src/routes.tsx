import type { RouteObject } from "react-router";

import { Layout } from "./components/Layout";
import { BookPage } from "./pages/BookPage";
import { ConfirmationPage } from "./pages/ConfirmationPage";
import { ManageBookingPage } from "./pages/ManageBookingPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PayPage } from "./pages/PayPage";
import { TourPage } from "./pages/TourPage";
import { ToursPage } from "./pages/ToursPage";

/** Every step of the journey is a page with its own URL. */
export const routes: RouteObject[] = [
  {
    element: <Layout />,
    children: [
      { index: true, element: <ToursPage /> },
      { path: "tours/:slug", element: <TourPage /> },
      { path: "tours/:slug/book/:departureId", element: <BookPage /> },
      { path: "bookings/:reference", element: <ManageBookingPage /> },
      { path: "bookings/:reference/pay", element: <PayPage /> },
      { path: "bookings/:reference/confirmed", element: <ConfirmationPage /> },
      { path: "*", element: <NotFoundPage /> },
    ],
  },
];
