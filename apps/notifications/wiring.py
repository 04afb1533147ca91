"""How the platform runs notifications (kernel/wiring.py)."""

from apps.bookings.events import BookingCancelled, BookingConfirmed, BookingExpired
from kernel.wiring import Wiring

WIRING = Wiring(
    # Its worker sends the emails of the booking events it consumes.
    processes=("web", "worker"),
    consumes={
        BookingConfirmed.TYPE: "notifications.send_booking_email",
        BookingCancelled.TYPE: "notifications.send_booking_email",
        BookingExpired.TYPE: "notifications.send_booking_email",
    },
    # choice values, not import paths: not every profile installs this app
    openapi_enums={
        "NotificationStatusEnum": [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
    },
)
