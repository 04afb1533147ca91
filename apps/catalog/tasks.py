from celery import shared_task

from . import services


@shared_task(name="catalog.release_stale_holds")
def release_stale_holds() -> int:
    """Periodic: give back seats of holds that nobody confirmed or released in time."""
    return services.seat_holds_release_stale()
