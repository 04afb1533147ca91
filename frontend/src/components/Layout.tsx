import { Link, Outlet } from "react-router";

import { LOCALES, useI18n, type Locale } from "../i18n";

export function Layout() {
  const { t, locale, setLocale } = useI18n();
  return (
    <>
      <a className="skip-link" href="#main">
        {t("app.skip")}
      </a>
      <header className="site-header">
        <nav aria-label={t("nav.main")} className="site-nav">
          <Link to="/" className="brand">
            {t("app.name")}
          </Link>
          <Link to="/">{t("app.tours")}</Link>
        </nav>
        <label className="language">
          <span>{t("app.language")}</span>
          <select value={locale} onChange={(event) => setLocale(event.target.value as Locale)}>
            {LOCALES.map((code) => (
              <option key={code} value={code} lang={code}>
                {code === "en" ? "English" : "Français"}
              </option>
            ))}
          </select>
        </label>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
