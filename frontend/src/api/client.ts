/** The shop's one way to call the API: typed by the OpenAPI document (schema.d.ts). */
import createClient from "openapi-fetch";

import type { components, paths } from "./schema";

export type TourList = components["schemas"]["TourList"];
export type TourDetail = components["schemas"]["TourDetail"];
export type Departure = components["schemas"]["Departure"];
export type Booking = components["schemas"]["Booking"];
export type NewBooking = components["schemas"]["NewBooking"];
export type BookingCreate = components["schemas"]["BookingCreate"];

export const api = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  fetch: (request) => globalThis.fetch(request), // looked up per call
});

/** An RFC 9457 problem as the API sends it, with our extension members. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: Record<string, unknown>;
  decline_code?: string;
}

/** A failed call: `status` 0 when the network failed before any answer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }

  /** A service (or the way to it) is down: worth retrying in a moment. */
  get unavailable(): boolean {
    return this.status === 0 || [502, 503, 504].includes(this.status);
  }

  /** The messages the API gave for one field (`customer.email` reaches into objects). */
  fieldErrors(field: string): string[] {
    let node: unknown = this.problem.errors;
    for (const part of field.split(".")) {
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined;
    }
    return Array.isArray(node) ? node.map(String) : typeof node === "string" ? [node] : [];
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a call, or an ApiError (never a raw exception or an HTML error page). */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, { title: "Network error" });
  }
  if (result.response.ok && result.data !== undefined) return result.data;
  const problem = typeof result.error === "object" && result.error !== null ? result.error : {};
  throw new ApiError(result.response.status, problem as Problem);
}

/** The guest's access token for a booking: from the email link's fragment, kept for the tab. */
export const bookingTokens = {
  key: (reference: string) => `booking-token:${reference}`,
  get(reference: string): string {
    return sessionStorage.getItem(this.key(reference)) ?? "";
  },
  set(reference: string, token: string): void {
    sessionStorage.setItem(this.key(reference), token);
  },
};

export function tokenHeader(reference: string): { "X-Booking-Token": string } {
  return { "X-Booking-Token": bookingTokens.get(reference) };
}

/** A random key for one booking attempt (works on plain HTTP, unlike randomUUID). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
