import { useMutation } from "@tanstack/react-query";
import {
  cloneElement,
  useRef,
  useState,
  type FormEvent,
  type InputHTMLAttributes,
  type ReactElement,
} from "react";
import { useNavigate, useParams } from "react-router";

import {
  ApiError,
  api,
  bookingTokens,
  newIdempotencyKey,
  unwrap,
  type BookingCreate,
} from "../api/client";
import { ErrorMessage, Loading } from "../components/Status";
import { useI18n, type Translate } from "../i18n";
import { useTour } from "./TourPage";

type Field = "seats" | "customer.name" | "customer.email";
type FieldErrors = Partial<Record<Field, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function validateBooking(booking: BookingCreate, maxSeats: number, t: Translate): FieldErrors {
  const errors: FieldErrors = {};
  if (!Number.isInteger(booking.seats) || booking.seats < 1 || booking.seats > maxSeats)
    errors.seats = t("book.seatsInvalid", { max: maxSeats });
  if (!booking.customer.name.trim()) errors["customer.name"] = t("book.required");
  if (!EMAIL.test(booking.customer.email)) errors["customer.email"] = t("book.emailInvalid");
  return errors;
}

export function BookPage() {
  const { slug = "", departureId = "" } = useParams();
  const { t, price, date } = useI18n();
  const navigate = useNavigate();
  const tour = useTour(slug);
  const [seats, setSeats] = useState(2);
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  // One key per booking attempt: a double click or a retry after a network error reuses
  // it, so the API books once; an answer from the API ends the attempt.
  const attemptKey = useRef(newIdempotencyKey());
  const inFlight = useRef(false); // set at once, before React re-renders the button


  const book = useMutation({
    mutationFn: (booking: BookingCreate) =>
      unwrap(
        api.POST("/api/bookings/", {
          body: booking,
          params: { header: { "Idempotency-Key": attemptKey.current } },
        }),
      ),
    onSuccess: (created) => {
      bookingTokens.set(created.reference, created.access_token);
      navigate(`/bookings/${created.reference}/pay`);
    },
    onSettled: () => {
      inFlight.current = false;
    },
    onError: (error) => {
      if (error instanceof ApiError && !error.unavailable) {
        attemptKey.current = newIdempotencyKey();
        setErrors({
          seats: error.fieldErrors("seats")[0] ?? error.fieldErrors("departure_id")[0],
          "customer.name": error.fieldErrors("customer.name")[0],
          "customer.email": error.fieldErrors("customer.email")[0],
        });
      }
    },
  });

  if (tour.isPending) return <Loading />;
  if (tour.isError) return <ErrorMessage error={tour.error} onRetry={() => tour.refetch()} />;
  const departure = tour.data.departures.find((candidate) => String(candidate.id) === departureId);
  if (!departure) return <ErrorMessage error={new ApiError(404, {})} />;
  const currency = tour.data.currency ?? "EUR";
  const soldOut = departure.seats_available < 1;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current) return;
    const booking = { departure_id: departure.id, seats, customer: { name, email } };
    const found = validateBooking(booking, departure.seats_available, t);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    inFlight.current = true;
    book.mutate(booking);
  };
  return (
    <>
      <h1>{t("book.title", { tour: tour.data.title })}</h1>
      <p>
        {t("book.departure", { date: date(departure.starts_on), price: price(departure.price, currency) })}
      </p>
      {soldOut ? (
        <p role="alert" className="error">
          {t("book.soldOut")}
        </p>
      ) : (
        <form className="booking-form" noValidate onSubmit={submit}>
          <FormField id="seats" label={t("book.seats")} error={errors.seats}>
            <input
              type="number"
              min={1}
              max={departure.seats_available}
              value={seats}
              onChange={(event) => setSeats(Number(event.target.value))}
            />
          </FormField>
          <FormField id="name" label={t("book.name")} error={errors["customer.name"]}>
            <input autoComplete="name" required value={name} onChange={(event) => setName(event.target.value)} />
          </FormField>
          <FormField id="email" label={t("book.email")} error={errors["customer.email"]}>
            <input
              type="email"
              autoComplete="email"
              required
              value={email}
              onChange={(event) => setEmail(event.target.value)}
            />
          </FormField>
          <p className="total">{t("book.total", { total: price(Number(departure.price) * seats, currency) })}</p>
          {book.isError && !Object.values(errors).some(Boolean) && (
            <ErrorMessage error={book.error} onRetry={() => {
                inFlight.current = true;
                book.mutate(book.variables);
              }} />
          )}
          <button type="submit" aria-disabled={book.isPending}>
            {book.isPending ? t("book.submitting") : t("book.submit")}
          </button>
        </form>
      )}
    </>
  );
}

/** A labelled input with its error, tied to it for screen readers. */
function FormField({
  id,
  label,
  error,
  children,
}: {
  id: string;
  label: string;
  error?: string;
  children: ReactElement<InputHTMLAttributes<HTMLInputElement>>;
}) {
  const input = cloneElement(children, {
    id,
    name: id,
    "aria-invalid": Boolean(error),
    "aria-describedby": error ? `${id}-error` : undefined,
  });
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {input}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
