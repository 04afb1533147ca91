/** English and French: the messages, the chosen locale, and locale-aware formatting. */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

export const LOCALES = ["en", "fr"] as const;
export type Locale = (typeof LOCALES)[number];

const en = {
  "app.name": "Tourism Booking",
  "app.skip": "Skip to content",
  "app.language": "Language",
  "app.tours": "Tours",
  "nav.main": "Main",
  "state.loading": "Loading…",
  "error.unavailable": "This service is temporarily unavailable. Please try again in a moment.",
  "error.notFound": "We could not find this page.",
  "error.generic": "Something went wrong: {detail}",
  "error.retry": "Try again",
  "tours.title": "Find your next tour",
  "tours.filters": "Filters",
  "tours.search": "Search",
  "tours.destination": "Destination",
  "tours.category": "Category",
  "tours.any": "Any",
  "tours.priceMin": "Price from",
  "tours.priceMax": "Price up to",
  "tours.after": "Departing after",
  "tours.before": "Departing before",
  "tours.available": "Only tours with seats left",
  "tours.ordering": "Sort by",
  "tours.order.relevance": "Default",
  "tours.order.price": "Price, lowest first",
  "tours.order.-price": "Price, highest first",
  "tours.order.next_departure": "Next departure",
  "tours.order.duration": "Duration",
  "tours.order.title": "Name",
  "tours.apply": "Show tours",
  "tours.reset": "Clear filters",
  "tours.count": "{count} tours",
  "tours.empty": "No tour matches these filters. Try fewer filters.",
  "tours.from": "from {price}",
  "tours.days": "{count} days",
  "tours.next": "Next departure {date}",
  "tours.noDeparture": "No upcoming departure",
  "tours.results": "Tours",
  "tours.pages": "Pages",
  "tours.previous": "Previous page",
  "tours.nextPage": "Next page",
  "tours.page": "Page {page}",
  "tour.back": "All tours",
  "tour.departures": "Upcoming departures",
  "tour.date": "Date",
  "tour.price": "Price per person",
  "tour.seats": "Seats left",
  "tour.soldOut": "Sold out",
  "tour.book": "Book",
  "tour.bookDate": "Book {date}",
  "tour.noDepartures": "No departure is planned yet.",
  "book.title": "Book {tour}",
  "book.departure": "Departure on {date}, {price} per person",
  "book.seats": "Seats",
  "book.name": "Your name",
  "book.email": "Email",
  "book.total": "Total: {total}",
  "book.submit": "Hold my seats",
  "book.submitting": "Holding your seats…",
  "book.required": "Please fill this in.",
  "book.emailInvalid": "Please enter a valid email address.",
  "book.seatsInvalid": "Choose between 1 and {max} seats.",
  "book.soldOut": "This departure is sold out.",
  "pay.title": "Pay for booking {reference}",
  "pay.held": "{seats} seats on {tour}, {date}. Total {total}.",
  "pay.countdown": "Your seats are held for {time}.",
  "pay.expired": "The hold has expired and the seats are released. Please book again.",
  "pay.card": "Sandbox test card",
  "pay.card.tok_visa": "Visa, succeeds",
  "pay.card.tok_declined": "Card declined",
  "pay.card.tok_insufficient_funds": "Insufficient funds",
  "pay.card.tok_gateway_error": "Payment provider outage",
  "pay.submit": "Pay {total}",
  "pay.submitting": "Paying…",
  "pay.declined": "Your card was declined. Please try another card.",
  "pay.declined.insufficient_funds": "The card has insufficient funds. Please try another card.",
  "pay.notPayable": "This booking cannot be paid any more (status: {status}).",
  "confirmed.title": "Booking confirmed",
  "confirmed.thanks": "Thank you, {name}! Your booking reference is",
  "confirmed.email": "We are sending a confirmation email to {email}.",
  "confirmed.manage": "Manage my booking",
  "manage.title": "Booking {reference}",
  "manage.status": "Status",
  "manage.tour": "Tour",
  "manage.date": "Date",
  "manage.seats": "Seats",
  "manage.total": "Total",
  "manage.cancel": "Cancel my booking",
  "manage.cancelling": "Cancelling…",
  "manage.confirmCancel": "Cancel this booking? The seats will be released.",
  "manage.refund": "Refund: {amount} to the card you paid with.",
  "manage.noRefund": "Nothing was charged, so there is nothing to refund.",
  "manage.pay": "Pay now",
  "manage.noAccess": "This booking needs its private link: open it from your confirmation email.",
  "status.pending_payment": "Awaiting payment",
  "status.confirmed": "Confirmed",
  "status.cancelled": "Cancelled",
  "status.expired": "Expired",
  "notFound.title": "Page not found",
};

export type MessageKey = keyof typeof en;

const fr: Record<MessageKey, string> = {
  "app.name": "Tourism Booking",
  "app.skip": "Aller au contenu",
  "app.language": "Langue",
  "app.tours": "Circuits",
  "nav.main": "Principal",
  "state.loading": "Chargement…",
  "error.unavailable":
    "Ce service est momentanément indisponible. Veuillez réessayer dans un instant.",
  "error.notFound": "Nous n’avons pas trouvé cette page.",
  "error.generic": "Une erreur est survenue : {detail}",
  "error.retry": "Réessayer",
  "tours.title": "Trouvez votre prochain circuit",
  "tours.filters": "Filtres",
  "tours.search": "Rechercher",
  "tours.destination": "Destination",
  "tours.category": "Catégorie",
  "tours.any": "Toutes",
  "tours.priceMin": "Prix à partir de",
  "tours.priceMax": "Prix jusqu’à",
  "tours.after": "Départ après le",
  "tours.before": "Départ avant le",
  "tours.available": "Seulement les circuits avec des places",
  "tours.ordering": "Trier par",
  "tours.order.relevance": "Par défaut",
  "tours.order.price": "Prix croissant",
  "tours.order.-price": "Prix décroissant",
  "tours.order.next_departure": "Prochain départ",
  "tours.order.duration": "Durée",
  "tours.order.title": "Nom",
  "tours.apply": "Afficher les circuits",
  "tours.reset": "Effacer les filtres",
  "tours.count": "{count} circuits",
  "tours.empty": "Aucun circuit ne correspond à ces filtres. Essayez-en moins.",
  "tours.from": "à partir de {price}",
  "tours.days": "{count} jours",
  "tours.next": "Prochain départ le {date}",
  "tours.noDeparture": "Aucun départ prévu",
  "tours.results": "Circuits",
  "tours.pages": "Pages",
  "tours.previous": "Page précédente",
  "tours.nextPage": "Page suivante",
  "tours.page": "Page {page}",
  "tour.back": "Tous les circuits",
  "tour.departures": "Prochains départs",
  "tour.date": "Date",
  "tour.price": "Prix par personne",
  "tour.seats": "Places restantes",
  "tour.soldOut": "Complet",
  "tour.book": "Réserver",
  "tour.bookDate": "Réserver le {date}",
  "tour.noDepartures": "Aucun départ n’est encore prévu.",
  "book.title": "Réserver {tour}",
  "book.departure": "Départ le {date}, {price} par personne",
  "book.seats": "Places",
  "book.name": "Votre nom",
  "book.email": "E-mail",
  "book.total": "Total : {total}",
  "book.submit": "Bloquer mes places",
  "book.submitting": "Réservation de vos places…",
  "book.required": "Veuillez remplir ce champ.",
  "book.emailInvalid": "Veuillez saisir une adresse e-mail valide.",
  "book.seatsInvalid": "Choisissez entre 1 et {max} places.",
  "book.soldOut": "Ce départ est complet.",
  "pay.title": "Payer la réservation {reference}",
  "pay.held": "{seats} places pour {tour}, le {date}. Total {total}.",
  "pay.countdown": "Vos places sont bloquées pendant {time}.",
  "pay.expired": "Le délai a expiré et les places sont libérées. Veuillez réserver à nouveau.",
  "pay.card": "Carte de test (bac à sable)",
  "pay.card.tok_visa": "Visa, acceptée",
  "pay.card.tok_declined": "Carte refusée",
  "pay.card.tok_insufficient_funds": "Provision insuffisante",
  "pay.card.tok_gateway_error": "Panne du prestataire de paiement",
  "pay.submit": "Payer {total}",
  "pay.submitting": "Paiement en cours…",
  "pay.declined": "Votre carte a été refusée. Veuillez essayer une autre carte.",
  "pay.declined.insufficient_funds":
    "La provision de la carte est insuffisante. Veuillez essayer une autre carte.",
  "pay.notPayable": "Cette réservation ne peut plus être payée (statut : {status}).",
  "confirmed.title": "Réservation confirmée",
  "confirmed.thanks": "Merci, {name} ! Votre numéro de réservation est",
  "confirmed.email": "Nous envoyons un e-mail de confirmation à {email}.",
  "confirmed.manage": "Gérer ma réservation",
  "manage.title": "Réservation {reference}",
  "manage.status": "Statut",
  "manage.tour": "Circuit",
  "manage.date": "Date",
  "manage.seats": "Places",
  "manage.total": "Total",
  "manage.cancel": "Annuler ma réservation",
  "manage.cancelling": "Annulation…",
  "manage.confirmCancel": "Annuler cette réservation ? Les places seront libérées.",
  "manage.refund": "Remboursement : {amount} sur la carte utilisée pour payer.",
  "manage.noRefund": "Rien n’a été débité, il n’y a donc rien à rembourser.",
  "manage.pay": "Payer maintenant",
  "manage.noAccess":
    "Cette réservation demande son lien privé : ouvrez-la depuis votre e-mail de confirmation.",
  "status.pending_payment": "En attente de paiement",
  "status.confirmed": "Confirmée",
  "status.cancelled": "Annulée",
  "status.expired": "Expirée",
  "notFound.title": "Page introuvable",
};

export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { en, fr };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  return (key, values = {}) =>
    MESSAGES[locale][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ""));
}

export function formatPrice(locale: Locale, amount: string | number, currency: string): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(Number(amount));
}

/** A calendar date from the API (YYYY-MM-DD), in the locale, without time-zone shifts. */
export function formatDate(locale: Locale, isoDate: string): string {
  const [year, month, day] = isoDate.split("-").map(Number);
  return new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

const STORAGE_KEY = "locale";

function initialLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "fr") return saved;
  return navigator.language.toLowerCase().startsWith("fr") ? "fr" : "en";
}

interface I18n {
  locale: Locale;
  setLocale: (locale: Locale) => void;
  t: Translate;
  price: (amount: string | number, currency: string) => string;
  date: (isoDate: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [locale, setLocale] = useState<Locale>(initialLocale);
  useEffect(() => {
    document.documentElement.lang = locale;
    localStorage.setItem(STORAGE_KEY, locale);
  }, [locale]);
  const value = useMemo<I18n>(
    () => ({
      locale,
      setLocale,
      t: translator(locale),
      price: (amount, currency) => formatPrice(locale, amount, currency),
      date: (isoDate) => formatDate(locale, isoDate),
    }),
    [locale],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const i18n = useContext(I18nContext);
  if (!i18n) throw new Error("useI18n needs an I18nProvider");
  return i18n;
}
