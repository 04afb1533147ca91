"""Calls from one app to another app's ``/internal/`` endpoints over HTTP.

An app's published client module uses :class:`ServiceClient` when the app it talks to is
not installed in this process (``<APP>_SERVICE_URL`` says where it is). Every call carries
the service token and the request id, has a timeout, and is retried with backoff only when
the caller says it is idempotent. A dependency that does not answer, or answers 5xx,
becomes :class:`~kernel.problems.ServiceUnavailable` (a 503 problem).
"""

import logging
import time
from collections.abc import Iterable

import httpx
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kernel.http import pooled_client
from kernel.permissions import SERVICE_TOKEN_HEADER
from kernel.problems import DomainError, ServiceUnavailable
from kernel.request_id import HEADER as REQUEST_ID_HEADER
from kernel.request_id import current_request_id

logger = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({502, 503, 504})
PROBLEM_FIELDS = frozenset({"type", "title", "status", "detail", "request_id"})
BACKOFF_SECONDS = (0.1, 0.3)  # two retries for idempotent calls


def app_is_local(label: str) -> bool:
    """True when the app runs in this process, so its client calls it in-process."""
    return apps.is_installed(f"apps.{label}")


class ServiceClient:
    def __init__(self, app: str, *, errors: Iterable[type[DomainError]] = ()):
        self.app = app
        self.errors = {error.code: error for error in errors}

    @property
    def base_url(self) -> str:
        url = settings.SERVICE_URLS.get(self.app, "")
        if not url:
            raise ImproperlyConfigured(
                f"The {self.app} app is not installed in this process and "
                f"{self.app.upper()}_SERVICE_URL is not set."
            )
        return url.rstrip("/")

    def post(self, path: str, json: dict | None = None, *, idempotent: bool) -> dict:
        return self.request("POST", path, json=json, idempotent=idempotent)

    def get(self, path: str) -> dict:
        return self.request("GET", path, idempotent=True)

    def request(self, method: str, path: str, *, json=None, idempotent: bool) -> dict:
        url = f"{self.base_url}/internal/{self.app}/{path}"
        headers = {
            SERVICE_TOKEN_HEADER: settings.SERVICE_TOKEN,
            REQUEST_ID_HEADER: current_request_id(),
        }
        delays = BACKOFF_SECONDS if idempotent else ()
        response = None
        for attempt in range(len(delays) + 1):
            try:
                response = pooled_client().request(
                    method,
                    url,
                    json=json,
                    headers=headers,
                    timeout=settings.SERVICE_TIMEOUT_SECONDS,
                )
            except httpx.HTTPError as exc:
                response, failure = None, f"{exc.__class__.__name__}: {exc}"
            else:
                if response.status_code not in RETRY_STATUSES:
                    break
                failure = f"HTTP {response.status_code}"
            logger.warning("%s %s failed (attempt %d): %s", method, url, attempt + 1, failure)
            if attempt < len(delays):
                time.sleep(delays[attempt])
        if response is None:
            raise ServiceUnavailable(f"The {self.app} service is unavailable ({failure}).")
        return self._result(response)

    def _result(self, response: httpx.Response) -> dict:
        if response.is_success:
            return response.json()
        try:
            body = response.json()
        except ValueError:
            body = {}
        code = str(body.get("type", "")).rsplit(":", 1)[-1]
        error = self.errors.get(code)
        extra = {k: v for k, v in body.items() if k not in PROBLEM_FIELDS}
        if error is not None:
            raise error(body.get("detail"), **extra)
        if response.status_code >= 500:
            raise ServiceUnavailable(
                f"The {self.app} service failed (HTTP {response.status_code})."
            )
        # An answer this client does not understand is a bug between services, not the user's.
        raise ServiceUnavailable(
            f"The {self.app} service answered HTTP {response.status_code} unexpectedly."
        )
