import { useQuery } from "@tanstack/react-query";

import { api, tokenHeader, unwrap } from "../api/client";

/** The guest's booking, read with the access token this tab holds for it. */
export function useBooking(reference: string) {
  return useQuery({
    queryKey: ["booking", reference],
    queryFn: () =>
      unwrap(
        api.GET("/api/bookings/{reference}/", {
          params: { path: { reference }, header: tokenHeader(reference) },
        }),
      ),
  });
}
