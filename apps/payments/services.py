"""Writes to payments. Money moves only through these functions.

A charge or refund is a row keyed by the caller's idempotency key, committed as
``pending`` *before* the gateway is called. The gateway gets the row's id as its own
idempotency key, so a retry after a timeout or a crash asks the provider for the same
charge again, never a new one. While one call talks to the gateway it holds the row's lock;
a concurrent call with the same key is told so at once (PaymentInProgress, 409) rather than
waiting on a slow provider. Call these outside a transaction, so the pending row commits
before any money moves.
"""

from decimal import Decimal

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from kernel.metrics import PAYMENT_GATEWAY_CALLS

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
from .gateways import GatewayUnavailable, PaymentGateway, get_gateway
from .models import Payment, Refund

ERROR_LENGTH = Payment._meta.get_field("last_error").max_length


def payment_charge(
    *, key: str, amount: Decimal, currency: str, payment_method: str, booking_reference: str
) -> Payment:
    """Charge ``amount`` once per ``key``. Calling again with the same key and terms
    returns the same payment (or raises the same decline); a pending payment (an earlier
    attempt timed out) asks the gateway again for the same charge."""
    terms = {"amount": amount, "currency": currency, "payment_method": payment_method}
    payment = _payment_finish(key=key, booking_reference=booking_reference, **terms)
    if payment.status == Payment.Status.DECLINED:
        raise PaymentDeclined(
            f"The payment method was declined ({payment.decline_code}).",
            decline_code=payment.decline_code,
        )
    return payment


VOIDED = "voided"  # the decline code of a charge called off before it reached the gateway


def payment_settle(
    *, key: str, amount: Decimal, currency: str, payment_method: str, booking_reference: str
) -> Payment:
    """How the charge with ``key`` ended, for a caller whose answer was lost. A pending
    charge asks the gateway again (under the same idempotency key, so never twice) and
    stays pending while the gateway does not answer. A key never charged is voided: it is
    recorded as declined (``voided``), so a late request with it can no longer charge."""
    terms = {"amount": amount, "currency": currency, "payment_method": payment_method}
    voided = {"status": Payment.Status.DECLINED, "decline_code": VOIDED}
    try:
        return _payment_finish(key=key, booking_reference=booking_reference, new=voided, **terms)
    except PaymentGatewayUnavailable:
        return Payment.objects.get(key=key)


def _payment_finish(*, key: str, new: dict | None = None, **terms) -> Payment:
    """The payment with ``key`` (made from ``terms``, and ``new`` if given, when there is
    none), asking the gateway for it while it is pending."""
    gateway = get_gateway()
    payment = _payment_for_key(key=key, gateway=gateway.name, new=new, **terms)
    if payment.status == Payment.Status.PENDING:
        payment = _charge_pending(key=key, gateway=gateway)
    return payment


def _payment_for_key(*, key: str, gateway: str, new: dict | None = None, **terms) -> Payment:
    """The payment with ``key``, created (pending, or with ``new``'s fields) if none."""
    payment = Payment.objects.filter(key=key).first()
    if payment is None:
        try:
            with transaction.atomic():
                return Payment.objects.create(key=key, gateway=gateway, **terms, **(new or {}))
        except IntegrityError:
            # A concurrent call with the same key won the insert: answer with its payment.
            payment = Payment.objects.filter(key=key).first()
            if payment is None:
                raise
    _check_same_terms(payment, **terms)
    return payment


def _check_same_terms(payment: Payment, **terms) -> None:
    changed = sorted(name for name, value in terms.items() if getattr(payment, name) != value)
    if changed:
        raise PaymentKeyReused(
            f"Payment key {payment.key!r} was used with another {', '.join(changed)}."
        )


def _locked(queryset: QuerySet, key: str) -> Model:
    try:
        return queryset.select_for_update(nowait=True, of=("self",)).get(key=key)
    except OperationalError as exc:  # the row is locked by a call still at the gateway
        raise PaymentInProgress(
            f"A request with key {key!r} is being processed; retry in a moment."
        ) from exc


def _charge_pending(*, key: str, gateway: PaymentGateway) -> Payment:
    outage = None
    with transaction.atomic():
        payment = _locked(Payment.objects.all(), key)
        if payment.status != Payment.Status.PENDING:
            return payment  # a concurrent call finished it
        payment.attempts += 1
        try:
            charge = gateway.charge(
                idempotency_key=str(payment.pk),
                amount=payment.amount,
                currency=payment.currency,
                payment_method=payment.payment_method,
                description=f"Booking {payment.booking_reference}",
            )
        except GatewayUnavailable as exc:
            PAYMENT_GATEWAY_CALLS.labels("charge", "unavailable").inc()
            outage = exc
            payment.last_error = str(exc)[:ERROR_LENGTH]
        else:
            PAYMENT_GATEWAY_CALLS.labels("charge", charge.status).inc()
            payment.status = (
                Payment.Status.SUCCEEDED
                if charge.status == "succeeded"
                else Payment.Status.DECLINED
            )
            payment.decline_code = charge.decline_code
            payment.gateway_charge_id = charge.id
            payment.last_error = ""
        payment.save()
    if outage is not None:
        raise PaymentGatewayUnavailable(
            f"The payment gateway did not answer ({outage}); retry with the same key."
        ) from outage
    return payment


def payment_refund(*, key: str, payment_key: str, amount: Decimal | None = None) -> Refund:
    """Give back ``amount`` (all of it by default) of a succeeded payment, once per key.
    A payment is refunded at most once; it then has status ``refunded``."""
    refund = _refund_for_key(key=key, payment_key=payment_key, amount=amount)
    if refund.status == Refund.Status.PENDING:
        refund = _refund_pending(key=key, gateway=get_gateway())
    return refund


def _refund_for_key(*, key: str, payment_key: str, amount: Decimal | None) -> Refund:
    refund = Refund.objects.select_related("payment").filter(key=key).first()
    if refund is None:
        payment = Payment.objects.filter(key=payment_key).first()
        if payment is None:
            raise PaymentNotFound(f"No payment with key {payment_key!r}.")
        if payment.status != Payment.Status.SUCCEEDED:
            raise PaymentNotRefundable(
                f"Payment {payment_key!r} is {payment.status}; only a succeeded payment "
                "can be refunded."
            )
        refund_amount = payment.amount if amount is None else amount
        if not 0 < refund_amount <= payment.amount:
            raise RefundAmountInvalid(
                f"Cannot refund {refund_amount} of a payment of {payment.amount}."
            )
        try:
            with transaction.atomic():
                return Refund.objects.create(key=key, payment=payment, amount=refund_amount)
        except IntegrityError:
            refund = Refund.objects.select_related("payment").filter(key=key).first()
            if refund is None:  # another key won the payment's one refund
                raise PaymentNotRefundable(
                    f"Payment {payment_key!r} already has a refund."
                ) from None
    if refund.payment.key != payment_key or amount not in (None, refund.amount):
        raise RefundKeyReused(f"Refund key {key!r} was used for another payment or amount.")
    return refund


def _refund_pending(*, key: str, gateway: PaymentGateway) -> Refund:
    with transaction.atomic():
        refund = _locked(Refund.objects.select_related("payment"), key)
        if refund.status != Refund.Status.PENDING:
            return refund
        try:
            result = gateway.refund(
                idempotency_key=str(refund.pk),
                charge_id=refund.payment.gateway_charge_id,
                amount=refund.amount,
            )
        except GatewayUnavailable as exc:
            PAYMENT_GATEWAY_CALLS.labels("refund", "unavailable").inc()
            raise PaymentGatewayUnavailable(
                f"The payment gateway did not answer ({exc}); retry with the same key."
            ) from exc
        PAYMENT_GATEWAY_CALLS.labels("refund", "succeeded").inc()
        refund.status = Refund.Status.SUCCEEDED
        refund.gateway_refund_id = result.id
        refund.save(update_fields=["status", "gateway_refund_id", "updated_at"])
        Payment.objects.filter(pk=refund.payment_id).update(
            status=Payment.Status.REFUNDED, updated_at=timezone.now()
        )
        refund.payment.refresh_from_db(fields=["status", "updated_at"])
    return refund
