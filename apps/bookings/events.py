"""What booking events say; the notifications app renders its emails from this."""

from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings

from .models import Booking


def manage_url(booking: Booking) -> str:
    """The guest's link to see or cancel the booking (as in the emails)."""
    query = urlencode({"token": booking.access_token})
    return f"{settings.PUBLIC_BASE_URL}/api/bookings/{booking.reference}/?{query}"


def booking_event(booking: Booking, *, refunded: Decimal | None = None) -> dict:
    return {
        "booking_id": str(booking.id),
        "reference": booking.reference,
        "status": booking.status,
        "customer": {"name": booking.customer_name, "email": booking.customer_email},
        "tour": {"title": booking.tour_title, "slug": booking.tour_slug},
        "departure_id": booking.departure_id,
        "starts_on": booking.starts_on.isoformat(),
        "seats": booking.seats,
        "total": str(booking.total),
        "currency": booking.currency,
        "manage_url": manage_url(booking),
        "refund": {"amount": str(refunded), "currency": booking.currency} if refunded else None,
    }
