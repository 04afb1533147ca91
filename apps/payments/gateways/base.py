"""What every payment gateway offers: charge and refund, idempotent by the caller's key."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol


@dataclass(frozen=True)
class GatewayCharge:
    id: str
    status: Literal["succeeded", "declined"]
    decline_code: str = ""


@dataclass(frozen=True)
class GatewayRefund:
    id: str


class GatewayUnavailable(Exception):
    """The gateway did not answer in time, could not be reached, or failed (5xx). Retrying
    with the same idempotency key is safe."""


class GatewayRejectedRequest(Exception):
    """The gateway refused a request as malformed or unauthorised: a bug or a
    misconfiguration here, never the customer's fault."""


class PaymentGateway(Protocol):
    name: str

    def charge(
        self,
        *,
        idempotency_key: str,
        amount: Decimal,
        currency: str,
        payment_method: str,
        description: str,
    ) -> GatewayCharge: ...

    def refund(self, *, idempotency_key: str, charge_id: str, amount: Decimal) -> GatewayRefund: ...
