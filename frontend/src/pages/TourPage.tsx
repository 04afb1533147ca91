import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link, useParams } from "react-router";

import { api, unwrap } from "../api/client";
import { ErrorMessage, Loading } from "../components/Status";
import { useI18n } from "../i18n";

export function useTour(slug: string) {
  return useQuery({
    queryKey: ["tour", slug],
    queryFn: () => unwrap(api.GET("/api/catalog/tours/{slug}/", { params: { path: { slug } } })),
    staleTime: 0, // seats change as people book: always show the latest
  });
}

export function TourPage() {
  const { slug = "" } = useParams();
  const { t, price, date } = useI18n();
  const tour = useTour(slug);
  useEffect(() => {
    if (tour.data) document.title = `${tour.data.title} · ${t("app.name")}`;
  }, [tour.data, t]);

  if (tour.isPending) return <Loading />;
  if (tour.isError) return <ErrorMessage error={tour.error} onRetry={() => tour.refetch()} />;
  const { data } = tour;
  const currency = data.currency ?? "EUR";
  return (
    <article className="tour">
      <p>
        <Link to="/">← {t("tour.back")}</Link>
      </p>
      <h1>{data.title}</h1>
      <p className="meta">
        {data.destination.name}, {data.destination.country} · {data.category.name} ·{" "}
        {t("tours.days", { count: data.duration_days })}
      </p>
      {data.image_url && <img className="hero" src={data.image_url} alt="" />}
      <p className="summary">{data.summary}</p>
      {data.description && <p className="description">{data.description}</p>}
      <h2>{t("tour.departures")}</h2>
      {data.departures.length === 0 ? (
        <p>{t("tour.noDepartures")}</p>
      ) : (
        <table className="departures">
          <thead>
            <tr>
              <th scope="col">{t("tour.date")}</th>
              <th scope="col">{t("tour.price")}</th>
              <th scope="col">{t("tour.seats")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("tour.book")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {data.departures.map((departure) => (
              <tr key={departure.id} data-testid="departure">
                <td>{date(departure.starts_on)}</td>
                <td>{price(departure.price, currency)}</td>
                <td data-testid="seats-left">{departure.seats_available}</td>
                <td>
                  {departure.seats_available > 0 ? (
                    <Link
                      className="button"
                      to={`/tours/${data.slug}/book/${departure.id}`}
                      aria-label={t("tour.bookDate", { date: date(departure.starts_on) })}
                    >
                      {t("tour.book")}
                    </Link>
                  ) : (
                    <span className="sold-out">{t("tour.soldOut")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}
