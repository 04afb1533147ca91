import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";

import { api, unwrap, type TourList } from "../api/client";
import { ErrorMessage, Loading } from "../components/Status";
import { useI18n, type MessageKey } from "../i18n";

const ORDERINGS = ["price", "-price", "next_departure", "duration", "title"] as const;
type Ordering = (typeof ORDERINGS)[number];
const TEXT_FILTERS = ["search", "destination", "category", "departs_after", "departs_before"];
const NUMBER_FILTERS = ["price_min", "price_max"];
const WIDE = "(min-width: 701px)"; // styles.css stacks the layout below this

/** The API query for the page's URL: every filter lives in the query string. */
export function toursQuery(params: URLSearchParams) {
  const query: Record<string, string | number | boolean | Ordering[]> = {};
  for (const name of [...TEXT_FILTERS, ...NUMBER_FILTERS, "page"]) {
    const value = params.get(name);
    if (value) query[name] = NUMBER_FILTERS.includes(name) || name === "page" ? Number(value) : value;
  }
  if (params.get("available") === "true") query.available = true;
  const ordering = params.get("ordering") as Ordering | null;
  if (ordering && ORDERINGS.includes(ordering)) query.ordering = [ordering];
  return query;
}

function useFacets() {
  const destinations = useQuery({
    queryKey: ["destinations"],
    queryFn: () => unwrap(api.GET("/api/catalog/destinations/")),
    staleTime: Infinity,
  });
  const categories = useQuery({
    queryKey: ["categories"],
    queryFn: () => unwrap(api.GET("/api/catalog/categories/")),
    staleTime: Infinity,
  });
  return { destinations: destinations.data ?? [], categories: categories.data ?? [] };
}

export function ToursPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const queryClient = useQueryClient();
  const query = toursQuery(params);
  const tours = useQuery({
    queryKey: ["tours", query],
    queryFn: () => unwrap(api.GET("/api/catalog/tours/", { params: { query } })),
    placeholderData: keepPreviousData,
  });
  useEffect(() => {
    document.title = `${t("tours.title")} · ${t("app.name")}`;
  }, [t]);

  const page = Number(params.get("page") ?? 1);
  const goToPage = (next: number) => {
    const copy = new URLSearchParams(params);
    copy.set("page", String(next));
    setParams(copy);
  };

  return (
    <>
      <h1>{t("tours.title")}</h1>
      <div className="tours-layout">
        <TourFilters params={params} onApply={setParams} />
        <section aria-labelledby="results-heading" aria-busy={tours.isFetching}>
          <h2 id="results-heading" className="visually-hidden">
            {t("tours.results")}
          </h2>
          {tours.isPending && <Loading />}
          {tours.isError && (
            // The tours and the filters' choices: whatever failed along with them.
            <ErrorMessage error={tours.error} onRetry={() => queryClient.refetchQueries({ type: "active" })} />
          )}
          {tours.data && (
            <>
              <p role="status" className="count">
                {t("tours.count", { count: tours.data.count })}
              </p>
              {tours.data.results.length === 0 ? (
                <p className="empty">{t("tours.empty")}</p>
              ) : (
                <ul className="tour-grid">
                  {tours.data.results.map((tour) => (
                    <TourCard key={tour.slug} tour={tour} />
                  ))}
                </ul>
              )}
              {(tours.data.previous || tours.data.next) && (
                <nav aria-label={t("tours.pages")} className="pagination">
                  <button
                    type="button"
                    disabled={!tours.data.previous}
                    onClick={() => goToPage(page - 1)}
                  >
                    {t("tours.previous")}
                  </button>
                  <span>{t("tours.page", { page })}</span>
                  <button type="button" disabled={!tours.data.next} onClick={() => goToPage(page + 1)}>
                    {t("tours.nextPage")}
                  </button>
                </nav>
              )}
            </>
          )}
        </section>
      </div>
    </>
  );
}

function TourFilters({
  params,
  onApply,
}: {
  params: URLSearchParams;
  onApply: (params: URLSearchParams) => void;
}) {
  const { t } = useI18n();
  const { destinations, categories } = useFacets();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const chosen = new URLSearchParams();
    for (const [name, value] of new FormData(event.currentTarget)) {
      if (typeof value === "string" && value.trim()) chosen.set(name, value.trim());
    }
    onApply(chosen);
  };
  const value = (name: string) => params.get(name) ?? "";
  const [open, setOpen] = useState(() => globalThis.matchMedia?.(WIDE).matches ?? true);
  return (
    // Open beside the tours on wide screens; a tap away above them on phones.
    <details className="filters-panel" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>{t("tours.filters")}</summary>
      {/* Keyed by the URL (and the choices, which arrive later) so that back/forward,
          "clear" and a shared link show the filters in force. */}
      <form
        key={`${params}|${destinations.length}|${categories.length}`}
        className="filters"
        role="search"
        onSubmit={submit}
      >
      <label>
        {t("tours.search")}
        <input type="search" name="search" defaultValue={value("search")} />
      </label>
      <label>
        {t("tours.destination")}
        <select name="destination" defaultValue={value("destination")}>
          <option value="">{t("tours.any")}</option>
          {destinations.map((destination) => (
            <option key={destination.slug} value={destination.slug}>
              {destination.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("tours.category")}
        <select name="category" defaultValue={value("category")}>
          <option value="">{t("tours.any")}</option>
          {categories.map((category) => (
            <option key={category.slug} value={category.slug}>
              {category.name}
            </option>
          ))}
        </select>
      </label>
      <div className="pair">
        <label>
          {t("tours.priceMin")}
          <input type="number" name="price_min" min="0" step="1" defaultValue={value("price_min")} />
        </label>
        <label>
          {t("tours.priceMax")}
          <input type="number" name="price_max" min="0" step="1" defaultValue={value("price_max")} />
        </label>
      </div>
      <div className="pair">
        <label>
          {t("tours.after")}
          <input type="date" name="departs_after" defaultValue={value("departs_after")} />
        </label>
        <label>
          {t("tours.before")}
          <input type="date" name="departs_before" defaultValue={value("departs_before")} />
        </label>
      </div>
      <label className="check">
        <input
          type="checkbox"
          name="available"
          value="true"
          defaultChecked={value("available") === "true"}
        />
        {t("tours.available")}
      </label>
      <label>
        {t("tours.ordering")}
        <select name="ordering" defaultValue={value("ordering")}>
          <option value="">{t("tours.order.relevance")}</option>
          {ORDERINGS.map((ordering) => (
            <option key={ordering} value={ordering}>
              {t(`tours.order.${ordering}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <div className="actions">
        <button type="submit">{t("tours.apply")}</button>
        <button type="button" className="secondary" onClick={() => onApply(new URLSearchParams())}>
          {t("tours.reset")}
        </button>
      </div>
      </form>
    </details>
  );
}

function TourCard({ tour }: { tour: TourList }) {
  const { t, price, date } = useI18n();
  return (
    <li className="tour-card" data-testid="tour-card">
      {tour.image_url && <img src={tour.image_url} alt="" loading="lazy" />}
      <h3>
        <Link to={`/tours/${tour.slug}`}>{tour.title}</Link>
      </h3>
      <p className="meta">
        {tour.destination.name}, {tour.destination.country} · {tour.category.name} ·{" "}
        {t("tours.days", { count: tour.duration_days })}
      </p>
      <p>{tour.summary}</p>
      <p className="price">{t("tours.from", { price: price(tour.price_from, tour.currency ?? "EUR") })}</p>
      <p className="meta">
        {tour.next_departure ? t("tours.next", { date: date(tour.next_departure) }) : t("tours.noDeparture")}
      </p>
    </li>
  );
}
