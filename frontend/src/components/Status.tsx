/** What a page shows while it waits, and when a call fails. */
import { ApiError } from "../api/client";
import { useI18n, type Translate } from "../i18n";

export function Loading() {
  const { t } = useI18n();
  return (
    <p role="status" className="loading">
      {t("state.loading")}
    </p>
  );
}

/** The human message for any failure: never a stack trace. */
export function describeError(error: unknown, t: Translate): string {
  if (error instanceof ApiError) {
    if (error.unavailable) return t("error.unavailable");
    if (error.status === 404) return t("error.notFound");
    return t("error.generic", { detail: error.message });
  }
  return t("error.generic", { detail: t("error.retry") });
}

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const retryable = onRetry && (!(error instanceof ApiError) || error.unavailable);
  return (
    <div role="alert" className="error">
      <p>{describeError(error, t)}</p>
      {retryable && (
        <button type="button" onClick={onRetry}>
          {t("error.retry")}
        </button>
      )}
    </div>
  );
}
