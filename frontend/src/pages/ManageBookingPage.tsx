import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useLayoutEffect } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";

import { ApiError, api, bookingTokens, tokenHeader, unwrap } from "../api/client";
import { ErrorMessage, Loading } from "../components/Status";
import { useI18n, type MessageKey } from "../i18n";
import { useBooking } from "./useBooking";

/** The email links here with `#token=...`: keep the token for this tab, drop it from the URL. */
function useTokenFromFragment(reference: string) {
  const location = useLocation();
  const navigate = useNavigate();
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) bookingTokens.set(reference, token);
  useLayoutEffect(() => {
    if (token) navigate({ pathname: location.pathname, hash: "" }, { replace: true });
  }, [token, location.pathname, navigate]);
}

export function ManageBookingPage() {
  const { reference = "" } = useParams();
  useTokenFromFragment(reference);
  const { t, price, date } = useI18n();
  const queryClient = useQueryClient();
  const booking = useBooking(reference);
  const cancel = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/bookings/{reference}/cancel", {
          params: { path: { reference }, header: tokenHeader(reference) },
        }),
      ),
    onSuccess: (cancelled) => queryClient.setQueryData(["booking", reference], cancelled),
  });

  if (booking.isPending) return <Loading />;
  if (booking.isError) {
    const denied = booking.error instanceof ApiError && [403, 404].includes(booking.error.status);
    return denied ? (
      <p role="alert" className="error">
        {t("manage.noAccess")}
      </p>
    ) : (
      <ErrorMessage error={booking.error} onRetry={() => booking.refetch()} />
    );
  }
  const { data } = booking;
  const total = price(data.total, data.currency);
  const cancellable = data.status === "pending_payment" || data.status === "confirmed";
  const confirmCancel = () => {
    if (window.confirm(t("manage.confirmCancel"))) cancel.mutate();
  };

  return (
    <section>
      <h1>{t("manage.title", { reference: data.reference })}</h1>
      <dl className="booking-facts">
        <dt>{t("manage.status")}</dt>
        <dd data-testid="booking-status">{t(`status.${data.status}` as MessageKey)}</dd>
        <dt>{t("manage.tour")}</dt>
        <dd>
          <Link to={`/tours/${data.departure.tour_slug}`}>{data.departure.tour_title}</Link>
        </dd>
        <dt>{t("manage.date")}</dt>
        <dd>{date(data.departure.starts_on)}</dd>
        <dt>{t("manage.seats")}</dt>
        <dd>{data.seats}</dd>
        <dt>{t("manage.total")}</dt>
        <dd>{total}</dd>
      </dl>
      {data.status === "cancelled" && (
        <p role="status" className="refund">
          {/* A booking cancelled after payment is refunded in full. */}
          {data.confirmed_at ? t("manage.refund", { amount: total }) : t("manage.noRefund")}
        </p>
      )}
      {cancel.isError && <ErrorMessage error={cancel.error} onRetry={() => cancel.mutate()} />}
      <div className="actions">
        {data.status === "pending_payment" && (
          <Link className="button" to={`/bookings/${data.reference}/pay`}>
            {t("manage.pay")}
          </Link>
        )}
        {cancellable && (
          <button type="button" className="danger" aria-disabled={cancel.isPending} onClick={confirmCancel}>
            {cancel.isPending ? t("manage.cancelling") : t("manage.cancel")}
          </button>
        )}
      </div>
    </section>
  );
}
