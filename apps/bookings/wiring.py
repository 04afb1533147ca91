"""How the platform runs bookings (kernel/wiring.py)."""

from kernel.wiring import Wiring

from . import events

WIRING = Wiring(
    # It writes outbox events (relay) and expires holds, settles payments and prunes
    # idempotency keys on a schedule (beat, run by its worker).
    processes=("web", "worker", "beat", "relay"),
    # As a service it mostly waits on the catalog and payments services: threads (gunicorn's
    # gthread worker) overlap those waits and keep its connections to them alive.
    web_threads=4,
    emits=tuple(event.TYPE for event in events.EVENTS),
    beat_schedule={
        "bookings-expire-holds": {"task": "bookings.expire_holds", "schedule": 60.0},
        "bookings-settle-payments": {"task": "bookings.settle_payments", "schedule": 300.0},
        "bookings-prune-idempotency-keys": {
            "task": "bookings.prune_idempotency_keys",
            "schedule": 3600.0,
        },
    },
    throttle_rates={
        "holds": "10/hour",  # new bookings (seat holds), per client address
        "holds-per-customer": "5/hour",  # new bookings, per customer email
        "payments-per-booking": "5/hour",  # pay attempts on one booking
    },
    # choice values, not import paths: not every profile installs this app
    openapi_enums={
        "BookingStatusEnum": [
            ("pending_payment", "Pending Payment"),
            ("confirmed", "Confirmed"),
            ("cancelled", "Cancelled"),
            ("expired", "Expired"),
        ],
    },
)
