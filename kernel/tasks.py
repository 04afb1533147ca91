"""The base of every Celery task (``config.celery``): an infrastructure outage delays a
task, it never sends its message to the dead-letter queue.

A task that raises one of ``kernel.outages.TRANSIENT`` (the database or the mail server is
unreachable) is retried after ``backoff_seconds``, without a limit: once the outage ends,
the work is done. Only messages that fail for another reason reach a dead-letter queue.
Run in-process (Celery eager mode, no broker), there is nothing to wait with: the error
propagates to the caller.
"""

import logging

from celery import Task as CeleryTask
from django.conf import settings

from kernel.outages import TRANSIENT

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600


def backoff_seconds(retries: int) -> int:
    """Exponential: the base, then twice that, four times, ... at most ten minutes."""
    return min(settings.TASK_RETRY_BACKOFF_SECONDS * 2**retries, MAX_BACKOFF_SECONDS)


class Task(CeleryTask):
    max_retries = None  # transient failures retry until the outage ends; see above

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except TRANSIENT as exc:
            if self.request.is_eager or self.request.called_directly:
                raise
            countdown = backoff_seconds(self.request.retries)
            logger.warning(
                "%s: %s: %s; retrying in %d s.", self.name, exc.__class__.__name__, exc, countdown
            )
            raise self.retry(exc=exc, countdown=countdown) from exc
