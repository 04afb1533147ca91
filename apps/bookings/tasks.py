from celery import shared_task

from . import services


@shared_task(name="bookings.expire_holds")
def expire_holds() -> int:
    """Periodic: expire unpaid bookings whose seat hold ran out, releasing the seats."""
    return services.bookings_expire_due()
