"""A third-party REST payment provider over HTTP; the API is in docs/payment-provider.md.

The provider dedupes by the ``Idempotency-Key`` header, so a call that timed out may be
repeated with the same key without charging twice. Calls share the process's pooled
client (kernel/http.py): one kept-alive connection to the provider, not one per charge.
"""

from decimal import Decimal

import httpx

from kernel.http import pooled_client

from .base import GatewayCharge, GatewayRefund, GatewayRejectedRequest, GatewayUnavailable

# Answers that mean "not now" rather than "never": a timeout, a concurrent request with
# the same key still in flight, rate limiting.
RETRYABLE_STATUSES = frozenset({408, 409, 429})
DECLINED = 402


def minor_units(amount: Decimal) -> int:
    """Cents: the site's currencies all have two decimals."""
    return int((amount * 100).to_integral_value())


class HttpGateway:
    name = "http"

    def __init__(self, *, base_url: str, api_key: str, connect_timeout: float, read_timeout: float):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = httpx.Timeout(read_timeout, connect=connect_timeout)

    def charge(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        payment_method: str,
        description: str,
    ) -> GatewayCharge:
        body = {
            "amount": minor_units(amount),
            "currency": currency,
            "source": payment_method,
            "description": description,
        }
        response = self._post("/v1/charges", body, idempotency_key=idempotency_key)
        if response.status_code == DECLINED:
            error = response.json()["error"]
            return GatewayCharge(
                id=error.get("charge", ""), status="declined", decline_code=error["code"]
            )
        return GatewayCharge(id=self._success(response)["id"], status="succeeded")

    def refund(self, *, idempotency_key: str, charge_id: str, amount: Decimal) -> GatewayRefund:
        body = {"charge": charge_id, "amount": minor_units(amount)}
        response = self._post("/v1/refunds", body, idempotency_key=idempotency_key)
        return GatewayRefund(id=self._success(response)["id"])

    def _post(self, path: str, body: dict, *, idempotency_key: str) -> httpx.Response:
        try:
            response = pooled_client().post(
                f"{self.base_url}{path}",
                json=body,
                headers={
                    "Authorization": f"Bearer {self.api_key}",
                    "Idempotency-Key": idempotency_key,
                },
                timeout=self.timeout,
            )
        except httpx.TransportError as exc:  # timeouts and connection failures
            raise GatewayUnavailable(f"POST {path}: {exc.__class__.__name__}") from exc
        if response.status_code >= 500 or response.status_code in RETRYABLE_STATUSES:
            raise GatewayUnavailable(f"POST {path}: HTTP {response.status_code}")
        return response

    def _success(self, response: httpx.Response) -> dict:
        if not response.is_success:
            raise GatewayRejectedRequest(
                f"POST {response.request.url.path}: HTTP {response.status_code} "
                f"{response.text[:200]}"
            )
        return response.json()
