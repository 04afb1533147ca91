"""How the platform runs notifications (kernel/wiring.py)."""

from kernel.wiring import Wiring

WIRING = Wiring(
    # Its worker sends the emails of the booking events it consumes.
    processes=("web", "worker"),
    consumes={
        "booking.confirmed": "notifications.send_booking_email",
        "booking.cancelled": "notifications.send_booking_email",
        "booking.expired": "notifications.send_booking_email",
    },
    # choice values, not import paths: not every profile installs this app
    openapi_enums={
        "NotificationStatusEnum": [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
    },
)
