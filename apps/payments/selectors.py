"""Reads from payments."""

from django.db.models import QuerySet

from .exceptions import PaymentNotFound
from .models import Payment, Refund


def payment_list() -> QuerySet[Payment]:
    return Payment.objects.order_by("-created_at", "pk")


def payment_get(*, key: str) -> Payment:
    payment = Payment.objects.filter(key=key).first()
    if payment is None:
        raise PaymentNotFound(f"No payment with key {key!r}.")
    return payment


def refund_list() -> QuerySet[Refund]:
    return Refund.objects.select_related("payment").order_by("-created_at", "pk")
