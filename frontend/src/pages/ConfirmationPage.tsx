import { useEffect, useRef } from "react";
import { Link, useParams } from "react-router";

import { ErrorMessage, Loading } from "../components/Status";
import { useI18n } from "../i18n";
import { useBooking } from "./useBooking";

export function ConfirmationPage() {
  const { reference = "" } = useParams();
  const { t, price, date } = useI18n();
  const booking = useBooking(reference);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [booking.data]);

  if (booking.isPending) return <Loading />;
  if (booking.isError) return <ErrorMessage error={booking.error} onRetry={() => booking.refetch()} />;
  const { data } = booking;
  return (
    <section className="confirmation">
      <h1 ref={heading} tabIndex={-1}>
        {t("confirmed.title")}
      </h1>
      <p>
        {t("confirmed.thanks", { name: data.customer.name })}{" "}
        <strong data-testid="reference">{data.reference}</strong>
      </p>
      <p>
        {data.departure.tour_title}, {date(data.departure.starts_on)}, {data.seats} ×{" "}
        {price(data.unit_price, data.currency)} = {price(data.total, data.currency)}
      </p>
      <p>{t("confirmed.email", { email: data.customer.email })}</p>
      <p>
        <Link className="button" to={`/bookings/${data.reference}`}>
          {t("confirmed.manage")}
        </Link>
      </p>
    </section>
  );
}
