"""Every booking transition, used alike by the API, the admin and the periodic tasks.

Calls to the catalog and payments go through their published clients and are idempotent
by key (the hold key, each payment attempt's charge key, the refund key), so a step
interrupted by an outage is completed by simply doing it again. A payment attempt is
recorded before its charge is asked for, so a charge whose answer was lost is never
forgotten: the next payment, the cancellation, the expiry or the periodic settlement asks
payments how it ended and refunds it unless it pays for the confirmed booking.
"""

import contextlib
import datetime
import logging
import uuid
from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.catalog import client as catalog
from apps.payments import client as payments
from kernel.metrics import BOOKINGS, count_on_commit
from kernel.outbox import emit
from kernel.problems import ServiceUnavailable

from . import events
from .exceptions import BookingBusy, BookingNotCancellable, BookingNotPayable
from .models import Booking, PaymentAttempt

logger = logging.getLogger(__name__)

Status = Booking.Status
Outcome = PaymentAttempt.Outcome


def booking_create(
    *,
    departure_id: int,
    seats: int,
    customer_name: str,
    customer_email: str,
    booking_id: uuid.UUID | None = None,
) -> Booking:
    """Hold seats in the catalog, then record the booking. If recording fails, or the
    catalog's answer is lost, the hold is released: no half-made booking stays behind.
    Given the ``booking_id`` of an earlier, interrupted call, it finishes that call: the
    same hold (by key), the same booking."""
    if booking_id is None:
        booking_id = uuid.uuid4()
    elif existing := Booking.objects.filter(pk=booking_id).first():
        return existing
    hold_key = f"booking-{booking_id}"
    try:
        hold = catalog.hold_seats(departure_id=departure_id, seats=seats, key=hold_key)
    except ServiceUnavailable:
        _release_quietly(hold_key)  # the catalog may have held seats before going quiet
        raise
    if hold.status != "held":  # an interrupted call's hold, released since (it went stale)
        raise catalog.SeatsUnavailable(f"The seats held for booking {booking_id} were released.")
    try:
        with transaction.atomic():
            count_on_commit(BOOKINGS.labels("created"))  # not if the create fails
            return Booking.objects.create(
                id=booking_id,
                customer_name=customer_name,
                customer_email=customer_email,
                departure_id=hold.departure_id,
                tour_title=hold.tour_title,
                tour_slug=hold.tour_slug,
                starts_on=hold.starts_on,
                unit_price=hold.unit_price,
                seats=hold.seats,
                total=hold.unit_price * hold.seats,
                currency=hold.currency,
                hold_expires_at=timezone.now()
                + datetime.timedelta(minutes=settings.BOOKING_HOLD_MINUTES),
            )
    except IntegrityError:
        existing = Booking.objects.filter(pk=booking_id).first()
        if existing is not None:
            return existing  # a concurrent call with the same id recorded it first
        _release_quietly(hold_key)
        raise
    except Exception:
        _release_quietly(hold_key)
        raise


def _release_quietly(hold_key: str) -> None:
    try:
        catalog.release_hold(key=hold_key)
    except (catalog.HoldNotFound, ServiceUnavailable) as exc:
        # Not found: nothing was held. Unavailable: the catalog releases stale holds itself.
        logger.info("Hold %s not released now: %s", hold_key, exc)


@contextlib.contextmanager
def _money_lease(booking: Booking) -> Iterator[None]:
    """Only one payment, cancellation or expiry of a booking moves money at a time; the
    booking is read afresh once claimed. The claim is a conditional UPDATE with a deadline,
    so a process killed while holding it blocks the booking only for REQUEST_LEASE_SECONDS."""
    now = timezone.now()
    until = now + datetime.timedelta(seconds=settings.REQUEST_LEASE_SECONDS)
    free = Q(payment_lease_until__isnull=True) | Q(payment_lease_until__lte=now)
    if not Booking.objects.filter(free, pk=booking.pk).update(payment_lease_until=until):
        raise BookingBusy(
            f"A payment or cancellation of {booking.reference} is in progress; retry in a moment."
        )
    try:
        booking.refresh_from_db()
        yield
    finally:
        Booking.objects.filter(pk=booking.pk, payment_lease_until=until).update(
            payment_lease_until=None
        )


def booking_pay(*, booking: Booking, payment_method: str) -> Booking:
    """Charge the booking's total and confirm it. Paying a confirmed booking again changes
    nothing. Each attempt has its own payment key, so a declined card or a gateway outage
    leaves the booking payable with another card; an earlier attempt whose answer was lost
    is settled first, and if it did charge, it pays for the booking: never twice."""
    if booking.status == Status.PENDING_PAYMENT and booking.hold_expires_at <= timezone.now():
        booking_expire(booking=booking)
        raise BookingNotPayable(f"The seats held for {booking.reference} have expired.")
    if booking.status == Status.CONFIRMED:
        return booking
    with _money_lease(booking):
        if booking.status == Status.CONFIRMED:
            return booking
        if booking.status != Status.PENDING_PAYMENT:
            raise BookingNotPayable(f"Booking {booking.reference} is {booking.status}.")
        _attempts_settle(booking=booking)
        paid = booking.payment_attempts.filter(outcome=Outcome.SUCCEEDED).first()
        if paid is None:
            paid = _attempt_charge(booking=booking, payment_method=payment_method)
        return _booking_confirm(booking=booking, paid=paid)


def _attempt_charge(*, booking: Booking, payment_method: str) -> PaymentAttempt:
    """Record the attempt (committed: call outside a transaction), then charge it. An
    outage leaves its outcome unknown, for the next settlement to find out."""
    last = booking.payment_attempts.last()
    attempt = PaymentAttempt.objects.create(
        booking=booking, number=last.number + 1 if last else 0, payment_method=payment_method
    )
    try:
        payments.charge(
            key=attempt.key,
            amount=booking.total,
            currency=booking.currency,
            payment_method=payment_method,
            booking_reference=booking.reference,
        )
    except payments.PaymentDeclined:
        _attempt_record(attempt, Outcome.FAILED)
        raise
    _attempt_record(attempt, Outcome.SUCCEEDED)
    return attempt


def _attempt_record(attempt: PaymentAttempt, outcome: str) -> None:
    attempt.outcome = outcome
    attempt.save(update_fields=["outcome", "updated_at"])


SETTLED = {
    "succeeded": Outcome.SUCCEEDED,
    "refunded": Outcome.REFUNDED,
    "declined": Outcome.FAILED,
}


def _attempts_settle(*, booking: Booking) -> None:
    """Ask payments how each attempt whose answer was lost ended. A charge never made is
    voided by payments, so it cannot happen late; one still at the gateway stays unknown."""
    for attempt in booking.payment_attempts.filter(outcome=Outcome.UNKNOWN):
        try:
            charge = payments.settle_charge(
                key=attempt.key,
                amount=booking.total,
                currency=booking.currency,
                payment_method=attempt.payment_method,
                booking_reference=booking.reference,
            )
        except payments.PaymentInProgress:
            continue
        if charge.status in SETTLED:
            _attempt_record(attempt, SETTLED[charge.status])


def _booking_confirm(*, booking: Booking, paid: PaymentAttempt) -> Booking:
    try:
        catalog.confirm_hold(key=booking.hold_key)
    except catalog.SeatsUnavailable:
        # The hold was released (the booking expired meanwhile): give the money back.
        _refund(paid)
        raise BookingNotPayable(f"The seats held for {booking.reference} were released.") from None

    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == Status.PENDING_PAYMENT:
            booking.status = Status.CONFIRMED
            booking.payment_key = paid.key
            booking.confirmed_at = timezone.now()
            booking.save(update_fields=["status", "payment_key", "confirmed_at", "updated_at"])
            emit(_announced(events.BookingConfirmed, booking))
            count_on_commit(BOOKINGS.labels("confirmed"))
            return booking
    if booking.payment_key == paid.key:
        return booking  # a retry of this very payment confirmed it
    _refund(paid)
    if booking.status == Status.CONFIRMED:
        return booking  # another attempt paid for it meanwhile (a lease that ran out)
    raise BookingNotPayable(f"Booking {booking.reference} became {booking.status} during payment.")


def _refund(attempt: PaymentAttempt) -> payments.Refund:
    refund = payments.refund(key=f"{attempt.key}-refund", payment_key=attempt.key)
    _attempt_record(attempt, Outcome.REFUNDED)
    return refund


def _charges_refund(*, booking: Booking, keep: str = "") -> Decimal | None:
    """Settle every attempt, then refund each charge but the one with key ``keep``
    (refunding again is a no-op). Returns the amount given back, if any."""
    _attempts_settle(booking=booking)
    refunded = [
        _refund(attempt).amount
        for attempt in booking.payment_attempts.filter(
            outcome__in=[Outcome.SUCCEEDED, Outcome.REFUNDED]
        )
        if attempt.key != keep
    ]
    return sum(refunded) if refunded else None


def booking_cancel(*, booking: Booking) -> Booking:
    """Cancel a booking: refund what was paid (a charge whose answer was lost included),
    give the seats back, tell the customer. Cancelling twice changes nothing; an
    interrupted cancel completes when retried."""
    if booking.status == Status.CANCELLED:
        return booking
    with _money_lease(booking):
        if booking.status == Status.CANCELLED:
            return booking
        if booking.status not in (Status.PENDING_PAYMENT, Status.CONFIRMED):
            raise BookingNotCancellable(f"Booking {booking.reference} is {booking.status}.")
        refunded = _charges_refund(booking=booking)
        catalog.release_hold(key=booking.hold_key)
        with transaction.atomic():
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            if booking.status in (Status.PENDING_PAYMENT, Status.CONFIRMED):
                booking.status = Status.CANCELLED
                booking.cancelled_at = timezone.now()
                booking.save(update_fields=["status", "cancelled_at", "updated_at"])
                emit(
                    _announced(
                        events.BookingCancelled, booking, refund=_given_back(refunded, booking)
                    )
                )
                count_on_commit(BOOKINGS.labels("cancelled"))
    return booking


def booking_expire(*, booking: Booking) -> Booking:
    """Release the seats of an unpaid booking whose hold ran out, refunding any charge
    whose answer was lost."""
    if booking.status != Status.PENDING_PAYMENT:
        return booking
    with _money_lease(booking):
        if booking.status != Status.PENDING_PAYMENT:
            return booking
        refunded = _charges_refund(booking=booking)
        catalog.release_hold(key=booking.hold_key)
        with transaction.atomic():
            booking = Booking.objects.select_for_update().get(pk=booking.pk)
            if booking.status == Status.PENDING_PAYMENT:
                booking.status = Status.EXPIRED
                booking.expired_at = timezone.now()
                booking.save(update_fields=["status", "expired_at", "updated_at"])
                emit(
                    _announced(
                        events.BookingExpired, booking, refund=_given_back(refunded, booking)
                    )
                )
                count_on_commit(BOOKINGS.labels("expired"))
    return booking


def bookings_settle_payments() -> int:
    """Periodic: settle the attempts whose answer is still unknown on bookings already
    confirmed, cancelled or expired, refunding every charge that does not pay for a
    confirmed booking. Returns how many bookings were looked at."""
    from .selectors import bookings_with_unknown_payments

    settled = 0
    for booking in bookings_with_unknown_payments():
        try:
            with _money_lease(booking):
                keep = booking.payment_key if booking.status == Status.CONFIRMED else ""
                _charges_refund(booking=booking, keep=keep)
            settled += 1
        except (ServiceUnavailable, BookingBusy) as exc:
            logger.warning("Payments of %s not settled yet: %s", booking.reference, exc)
    return settled


def bookings_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Expire every unpaid booking whose hold has run out; returns how many expired."""
    from .selectors import bookings_due_to_expire

    expired = 0
    for booking in bookings_due_to_expire(now=now or timezone.now()):
        try:
            expired += booking_expire(booking=booking).status == Status.EXPIRED
        except (ServiceUnavailable, BookingBusy) as exc:
            logger.warning("Booking %s not expired yet: %s", booking.reference, exc)
    return expired


def manage_url(booking: Booking) -> str:
    """The guest's link to the storefront's page for the booking (as in the emails). The
    token rides in the fragment, which browsers never send: no server log or Referer
    header sees it; the page sends it to the API as ``X-Booking-Token``."""
    fragment = urlencode({"token": booking.access_token})
    return f"{settings.PUBLIC_BASE_URL}/bookings/{booking.reference}#{fragment}"


def _announced(event_type: type[events.BookingEvent], booking: Booking, **fields):
    """The event of ``event_type`` about ``booking``, with the ``fields`` of that type."""
    return event_type(
        booking_id=booking.id,
        reference=booking.reference,
        status=booking.status,
        customer=events.Customer(name=booking.customer_name, email=booking.customer_email),
        tour=events.Tour(title=booking.tour_title, slug=booking.tour_slug),
        departure_id=booking.departure_id,
        starts_on=booking.starts_on,
        seats=booking.seats,
        total=booking.total,
        currency=booking.currency,
        manage_url=manage_url(booking),
        **fields,
    )


def _given_back(refunded: Decimal | None, booking: Booking) -> events.Money | None:
    return events.Money(refunded, booking.currency) if refunded else None
