"""A stateless, deterministic gateway for development and tests: no money moves.

The payment method is one of the test tokens below; ids derive from the idempotency key,
so the same key always gives the same charge or refund.
"""

import hashlib
from decimal import Decimal

from .base import GatewayCharge, GatewayRefund, GatewayUnavailable

OUTAGE_TOKEN = "tok_gateway_error"  # noqa: S105 - a public test token, not a secret
DECLINES = {
    "tok_declined": "card_declined",
    "tok_insufficient_funds": "insufficient_funds",
}
SUCCESS_TOKENS = frozenset({"tok_visa"})
OTHER_METHODS_DECLINE = "invalid_payment_method"


def _id(prefix: str, idempotency_key: str) -> str:
    return f"{prefix}_sandbox_{hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]}"


class SandboxGateway:
    name = "sandbox"

    def charge(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        payment_method: str,
        description: str,
    ) -> GatewayCharge:
        if payment_method == OUTAGE_TOKEN:
            raise GatewayUnavailable("The sandbox gateway simulates an outage for this token.")
        charge_id = _id("ch", idempotency_key)
        if payment_method in SUCCESS_TOKENS:
            return GatewayCharge(id=charge_id, status="succeeded")
        decline_code = DECLINES.get(payment_method, OTHER_METHODS_DECLINE)
        return GatewayCharge(id=charge_id, status="declined", decline_code=decline_code)

    def refund(self, *, idempotency_key: str, charge_id: str, amount: Decimal) -> GatewayRefund:
        return GatewayRefund(id=_id("re", idempotency_key))
