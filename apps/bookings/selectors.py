import datetime
import hmac

from django.db.models import QuerySet

from .exceptions import BookingNotFound
from .models import Booking, PaymentAttempt


def booking_for_caller(*, reference: str, staff: bool, token: str | None) -> Booking:
    """The booking if the caller is staff allowed to see it or holds its access token.
    Anyone else gets the same answer as for a reference that does not exist."""
    booking = Booking.objects.filter(reference=reference).first()
    allowed = booking is not None and (
        staff or (token and hmac.compare_digest(token.encode(), booking.access_token.encode()))
    )
    if not allowed:
        raise BookingNotFound(f"No booking {reference} for these credentials.")
    return booking


def bookings_due_to_expire(*, now: datetime.datetime) -> QuerySet[Booking]:
    return Booking.objects.filter(
        status=Booking.Status.PENDING_PAYMENT, hold_expires_at__lte=now
    ).order_by("hold_expires_at")


def bookings_with_unknown_payments() -> QuerySet[Booking]:
    """Bookings no longer payable with a payment attempt whose answer is still unknown."""
    return (
        Booking.objects.filter(payment_attempts__outcome=PaymentAttempt.Outcome.UNKNOWN)
        .exclude(status=Booking.Status.PENDING_PAYMENT)
        .distinct()
    )
