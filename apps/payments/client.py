"""Payments' published client: the only module other apps may import.

Calls the payments services in-process when payments is installed in this process, and
its ``/internal/payments/`` endpoints over HTTP otherwise (``PAYMENTS_SERVICE_URL``).
Charges and refunds are idempotent by their ``key``, so HTTP calls are retried on failure.
Use a new key for each new attempt (another card); the same key with other terms is
PaymentKeyReused. Call outside a database transaction.
"""

from dataclasses import dataclass
from decimal import Decimal

from kernel.problems import ServiceUnavailable
from kernel.service_client import ServiceClient, app_is_local

from .exceptions import (
    PaymentDeclined,
    PaymentGatewayUnavailable,
    PaymentInProgress,
    PaymentKeyReused,
    PaymentNotFound,
    PaymentNotRefundable,
    RefundAmountInvalid,
    RefundKeyReused,
)

__all__ = [
    "Charge",
    "PaymentDeclined",
    "PaymentGatewayUnavailable",
    "PaymentInProgress",
    "PaymentKeyReused",
    "PaymentNotFound",
    "PaymentNotRefundable",
    "Refund",
    "RefundAmountInvalid",
    "RefundKeyReused",
    "ServiceUnavailable",
    "charge",
    "refund",
    "settle_charge",
]


@dataclass(frozen=True)
class Charge:
    """A payment: ``status`` is succeeded or refunded (``charge`` raises PaymentDeclined for
    a decline); ``settle_charge`` also answers pending and declined ones."""

    id: str
    key: str
    status: str
    amount: Decimal
    currency: str
    booking_reference: str
    decline_code: str

    @classmethod
    def from_json(cls, data: dict) -> "Charge":
        return cls(
            id=str(data["id"]),
            key=data["key"],
            status=data["status"],
            amount=Decimal(data["amount"]),
            currency=data["currency"],
            booking_reference=data["booking_reference"],
            decline_code=data["decline_code"],
        )


@dataclass(frozen=True)
class Refund:
    id: str
    key: str
    payment_key: str
    amount: Decimal
    status: str

    @classmethod
    def from_json(cls, data: dict) -> "Refund":
        return cls(
            id=str(data["id"]),
            key=data["key"],
            payment_key=data["payment_key"],
            amount=Decimal(data["amount"]),
            status=data["status"],
        )


_http = ServiceClient(
    "payments",
    errors=[
        PaymentDeclined,
        PaymentGatewayUnavailable,
        PaymentInProgress,
        PaymentKeyReused,
        PaymentNotFound,
        PaymentNotRefundable,
        RefundAmountInvalid,
        RefundKeyReused,
    ],
)


def charge(
    *, key: str, amount: Decimal, currency: str, payment_method: str, booking_reference: str
) -> Charge:
    """Charge once per key. Raises PaymentDeclined (``.decline_code``), PaymentInProgress,
    PaymentKeyReused, and ServiceUnavailable (PaymentGatewayUnavailable in-process) when
    the payment gateway or the payments service does not answer: retry with the same key."""
    if app_is_local("payments"):
        from .serializers import ChargeSerializer
        from .services import payment_charge

        payment = payment_charge(
            key=key,
            amount=amount,
            currency=currency,
            payment_method=payment_method,
            booking_reference=booking_reference,
        )
        return Charge.from_json(ChargeSerializer(payment).data)
    body = {
        "key": key,
        "amount": str(amount),
        "currency": currency,
        "payment_method": payment_method,
        "booking_reference": booking_reference,
    }
    return Charge.from_json(_http.post("charges/", body, idempotent=True))


def settle_charge(
    *, key: str, amount: Decimal, currency: str, payment_method: str, booking_reference: str
) -> Charge:
    """How the charge with ``key`` (and these terms) ended, when its answer was lost: status
    succeeded, refunded, declined (``decline_code`` ``voided`` if it was never made: it now
    never will be) or pending (the gateway still does not answer; ask again later). Raises
    PaymentInProgress (the charge is at the gateway right now), PaymentKeyReused,
    ServiceUnavailable."""
    terms = {
        "key": key,
        "amount": amount,
        "currency": currency,
        "payment_method": payment_method,
        "booking_reference": booking_reference,
    }
    if app_is_local("payments"):
        from .serializers import ChargeSerializer
        from .services import payment_settle

        return Charge.from_json(ChargeSerializer(payment_settle(**terms)).data)
    body = {**terms, "amount": str(amount)}
    return Charge.from_json(_http.post("charges/settle", body, idempotent=True))


def refund(*, key: str, payment_key: str, amount: Decimal | None = None) -> Refund:
    """Refund a succeeded payment (all of it by default), once per key. Raises
    PaymentNotFound, PaymentNotRefundable, RefundAmountInvalid, RefundKeyReused,
    ServiceUnavailable."""
    if app_is_local("payments"):
        from .serializers import RefundSerializer
        from .services import payment_refund

        result = payment_refund(key=key, payment_key=payment_key, amount=amount)
        return Refund.from_json(RefundSerializer(result).data)
    body = {"key": key, "payment_key": payment_key}
    if amount is not None:
        body["amount"] = str(amount)
    return Refund.from_json(_http.post("refunds/", body, idempotent=True))
