from decimal import Decimal

from apps.payments import services
from apps.payments.models import Payment

CHARGES = "/internal/payments/charges/"
REFUNDS = "/internal/payments/refunds/"


def charge_body(**overrides) -> dict:
    return {
        "key": "pay-1",
        "amount": "640.00",
        "currency": "EUR",
        "payment_method": "tok_visa",
        "booking_reference": "TB-7K2Q9",
        **overrides,
    }


def paid(key: str = "pay-1", *, amount: str = "640.00", reference: str = "TB-7K2Q9") -> Payment:
    """A succeeded payment, made through the sandbox gateway."""
    return services.payment_charge(
        key=key,
        amount=Decimal(amount),
        currency="EUR",
        payment_method="tok_visa",
        booking_reference=reference,
    )
