import { Link } from "react-router";

import { useI18n } from "../i18n";

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <section>
      <h1>{t("notFound.title")}</h1>
      <p>{t("error.notFound")}</p>
      <p>
        <Link to="/">{t("tour.back")}</Link>
      </p>
    </section>
  );
}
