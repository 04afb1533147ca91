from celery import shared_task

from .publisher import publisher
from .services import outbox_prune_published, outbox_publish_pending


@shared_task(name="outbox.sweep")
def sweep() -> int:
    """Periodic: publish whatever the relay's fast path left in the outbox."""
    with publisher() as current:
        return outbox_publish_pending(publisher=current)


@shared_task(name="outbox.prune")
def prune() -> int:
    """Periodic: delete events published more than OUTBOX_RETENTION_DAYS ago."""
    return outbox_prune_published()
