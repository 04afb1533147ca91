from celery import shared_task

from . import services
from .models import IdempotencyRecord


@shared_task(name="bookings.expire_holds")
def expire_holds() -> int:
    """Periodic: expire unpaid bookings whose seat hold ran out, releasing the seats."""
    return services.bookings_expire_due()


@shared_task(name="bookings.settle_payments")
def settle_payments() -> int:
    """Periodic: settle payment attempts whose answer was lost, refunding what is not kept."""
    return services.bookings_settle_payments()


@shared_task(name="bookings.prune_idempotency_keys")
def prune_idempotency_keys() -> int:
    """Periodic: forget Idempotency-Keys older than IDEMPOTENCY_KEY_RETENTION_HOURS."""
    return IdempotencyRecord.prune()
