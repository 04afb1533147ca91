"""Every booking transition, used alike by the API, the admin and the periodic tasks.

Calls to the catalog and payments go through their published clients and are idempotent
by key (the hold key, the charge key of the current attempt, the refund key), so a step
interrupted by an outage is completed by simply doing it again.
"""

import datetime
import logging
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.catalog import client as catalog
from apps.payments import client as payments
from kernel.outbox import emit
from kernel.problems import ServiceUnavailable

from .events import booking_event
from .exceptions import BookingNotCancellable, BookingNotPayable
from .models import Booking

logger = logging.getLogger(__name__)

Status = Booking.Status


def booking_create(
    *, departure_id: int, seats: int, customer_name: str, customer_email: str
) -> Booking:
    """Hold seats in the catalog, then record the booking. If recording fails, or the
    catalog's answer is lost, the hold is released: no half-made booking stays behind."""
    booking_id = uuid.uuid4()
    hold_key = f"booking-{booking_id}"
    try:
        hold = catalog.hold_seats(departure_id=departure_id, seats=seats, key=hold_key)
    except ServiceUnavailable:
        _release_quietly(hold_key)  # the catalog may have held seats before going quiet
        raise
    try:
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
    except Exception:
        _release_quietly(hold_key)
        raise


def _release_quietly(hold_key: str) -> None:
    try:
        catalog.release_hold(key=hold_key)
    except (catalog.HoldNotFound, ServiceUnavailable) as exc:
        # Not found: nothing was held. Unavailable: the catalog releases stale holds itself.
        logger.info("Hold %s not released now: %s", hold_key, exc)


def booking_pay(*, booking: Booking, payment_method: str) -> Booking:
    """Charge the booking's total and confirm it. Paying a confirmed booking again changes
    nothing; a declined card leaves it payable with the next attempt's key."""
    if booking.status == Status.CONFIRMED:
        return booking
    if booking.status != Status.PENDING_PAYMENT:
        raise BookingNotPayable(f"Booking {booking.reference} is {booking.status}.")
    if booking.hold_expires_at <= timezone.now():
        booking_expire(booking=booking)
        raise BookingNotPayable(f"The seats held for {booking.reference} have expired.")

    charge_key = booking.charge_key
    try:
        payments.charge(
            key=charge_key,
            amount=booking.total,
            currency=booking.currency,
            payment_method=payment_method,
            booking_reference=booking.reference,
        )
    except payments.PaymentDeclined:
        # The next attempt gets a fresh key; concurrent retries move it only once.
        Booking.objects.filter(pk=booking.pk, payment_attempt=booking.payment_attempt).update(
            payment_attempt=booking.payment_attempt + 1
        )
        raise
    # Remember the money taken before touching the seats, so that whatever happens next
    # (expiry, cancellation) knows there is something to refund.
    Booking.objects.filter(pk=booking.pk).update(payment_key=charge_key)

    try:
        catalog.confirm_hold(key=booking.hold_key)
    except catalog.SeatsUnavailable:
        # The hold was released (the booking expired meanwhile): give the money back.
        _refund(charge_key)
        raise BookingNotPayable(f"The seats held for {booking.reference} were released.") from None

    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == Status.PENDING_PAYMENT:
            booking.status = Status.CONFIRMED
            booking.payment_key = charge_key
            booking.confirmed_at = timezone.now()
            booking.save(update_fields=["status", "payment_key", "confirmed_at", "updated_at"])
            emit("booking.confirmed", booking_event(booking))
            return booking
    if booking.status == Status.CONFIRMED:
        return booking
    _refund(charge_key)
    raise BookingNotPayable(f"Booking {booking.reference} became {booking.status} during payment.")


def _refund(charge_key: str) -> payments.Refund:
    return payments.refund(key=f"{charge_key}-refund", payment_key=charge_key)


def booking_cancel(*, booking: Booking) -> Booking:
    """Cancel a booking: refund what was paid, give the seats back, tell the customer.
    Cancelling twice changes nothing; an interrupted cancel completes when retried."""
    if booking.status == Status.CANCELLED:
        return booking
    if booking.status not in (Status.PENDING_PAYMENT, Status.CONFIRMED):
        raise BookingNotCancellable(f"Booking {booking.reference} is {booking.status}.")
    booking.refresh_from_db(fields=["payment_key"])
    refund = _refund(booking.payment_key) if booking.payment_key else None
    catalog.release_hold(key=booking.hold_key)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status in (Status.PENDING_PAYMENT, Status.CONFIRMED):
            booking.status = Status.CANCELLED
            booking.cancelled_at = timezone.now()
            booking.save(update_fields=["status", "cancelled_at", "updated_at"])
            emit("booking.cancelled", booking_event(booking, refund=refund))
    return booking


def booking_expire(*, booking: Booking) -> Booking:
    """Release the seats of an unpaid booking whose hold ran out."""
    if booking.status != Status.PENDING_PAYMENT:
        return booking
    booking.refresh_from_db(fields=["payment_key"])
    refund = _refund(booking.payment_key) if booking.payment_key else None
    catalog.release_hold(key=booking.hold_key)
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == Status.PENDING_PAYMENT:
            booking.status = Status.EXPIRED
            booking.expired_at = timezone.now()
            booking.save(update_fields=["status", "expired_at", "updated_at"])
            emit("booking.expired", booking_event(booking, refund=refund))
    return booking


def bookings_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Expire every unpaid booking whose hold has run out; returns how many expired."""
    from .selectors import bookings_due_to_expire

    expired = 0
    for booking in bookings_due_to_expire(now=now or timezone.now()):
        try:
            expired += booking_expire(booking=booking).status == Status.EXPIRED
        except ServiceUnavailable as exc:
            logger.warning("Booking %s not expired yet: %s", booking.reference, exc)
    return expired
