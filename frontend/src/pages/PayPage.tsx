import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { ApiError, api, tokenHeader, unwrap } from "../api/client";
import { ErrorMessage, Loading } from "../components/Status";
import { useI18n, type MessageKey, type Translate } from "../i18n";
import { useBooking } from "./useBooking";

export const SANDBOX_CARDS = ["tok_visa", "tok_declined", "tok_insufficient_funds", "tok_gateway_error"];

/** Seconds left until `deadline`, ticking every second. */
function useSecondsLeft(deadline: string | null | undefined): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  if (!deadline) return null;
  return Math.max(0, Math.floor((Date.parse(deadline) - now) / 1000));
}

export function formatCountdown(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, "0")}`;
}

/** A decline in words, whatever the gateway's code. */
export function describeDecline(error: ApiError, t: Translate): string {
  return error.problem.decline_code === "insufficient_funds"
    ? t("pay.declined.insufficient_funds")
    : t("pay.declined");
}

export function PayPage() {
  const { reference = "" } = useParams();
  const { t, price, date } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const booking = useBooking(reference);
  const [card, setCard] = useState(SANDBOX_CARDS[0]);
  const secondsLeft = useSecondsLeft(booking.data?.hold_expires_at);

  const pay = useMutation({
    mutationFn: (paymentMethod: string) =>
      unwrap(
        api.POST("/api/bookings/{reference}/pay", {
          params: { path: { reference }, header: tokenHeader(reference) },
          body: { payment_method: paymentMethod },
        }),
      ),
    onSuccess: (paid) => {
      queryClient.setQueryData(["booking", reference], paid);
      navigate(`/bookings/${reference}/confirmed`);
    },
  });

  if (booking.isPending) return <Loading />;
  if (booking.isError) return <ErrorMessage error={booking.error} onRetry={() => booking.refetch()} />;
  const { data } = booking;
  const total = price(data.total, data.currency);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!pay.isPending) pay.mutate(card);
  };
  const declined = pay.error instanceof ApiError && pay.error.status === 402;

  return (
    <>
      <h1>{t("pay.title", { reference: data.reference })}</h1>
      <p>
        {t("pay.held", {
          seats: data.seats,
          tour: data.departure.tour_title,
          date: date(data.departure.starts_on),
          total,
        })}
      </p>
      {data.status !== "pending_payment" ? (
        <p role="alert">
          {t("pay.notPayable", { status: t(`status.${data.status}` as MessageKey) })}{" "}
          <Link to={`/bookings/${reference}`}>{t("confirmed.manage")}</Link>
        </p>
      ) : secondsLeft === 0 ? (
        <p role="alert" className="error">
          {t("pay.expired")}
        </p>
      ) : (
        <form className="pay-form" onSubmit={submit}>
          {secondsLeft !== null && (
            <p className="countdown">
              {t("pay.countdown", { time: formatCountdown(secondsLeft) })}
            </p>
          )}
          <fieldset>
            <legend>{t("pay.card")}</legend>
            {SANDBOX_CARDS.map((token) => (
              <label key={token} className="check">
                <input
                  type="radio"
                  name="card"
                  value={token}
                  checked={card === token}
                  onChange={() => setCard(token)}
                />
                {t(`pay.card.${token}` as MessageKey)} <code>{token}</code>
              </label>
            ))}
          </fieldset>
          {pay.isError &&
            (declined ? (
              <p role="alert" className="error">
                {describeDecline(pay.error as ApiError, t)}
              </p>
            ) : (
              <ErrorMessage error={pay.error} onRetry={() => pay.mutate(card)} />
            ))}
          <button type="submit" aria-disabled={pay.isPending}>
            {pay.isPending ? t("pay.submitting") : t("pay.submit", { total })}
          </button>
        </form>
      )}
    </>
  );
}
