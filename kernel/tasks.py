"""The base of every Celery task (``config.celery``): an infrastructure outage delays a
task, it never sends its message to the dead-letter queue.

A task that raises one of ``kernel.outages.TRANSIENT`` (the database or the mail server is
unreachable) is retried after ``TASK_RETRY_BACKOFF_SECONDS`` times 1, 2, 4, ... (at most ten
minutes, Celery's exponential backoff), without a limit: once the outage ends, the work is
done. Only messages that fail for another reason reach a dead-letter queue; a task retries
those with Celery's ``autoretry_for`` options, whose ``max_retries`` counts only them (a
message header counts the retries of an outage). Run in-process (Celery eager mode, no
broker), there is nothing to wait with: no retry, the error propagates to the caller.

A task that handles an outbox event (its ``event`` argument) runs with the request id of
the request that caused it (``kernel.request_id.carry``): from Celery's ``task_prerun`` to
its ``task_postrun`` signal, so Celery's own lines of the task (retried, succeeded,
failed) show it too, and so does the task's span when traces are recorded.
"""

import logging
from contextvars import Token

from celery import Task as CeleryTask
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from kernel import request_id, tracing
from kernel.outages import TRANSIENT

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 600
# The message header that counts a message's retries for an outage: a task's own limit on
# retries (``autoretry_for`` with ``max_retries``) counts only the others.
OUTAGES = "outage_retries"
_carried: dict[str, Token] = {}  # task id -> what to reset when it ends


def carry_request_id(task_id: str, kwargs: dict | None = None, **_) -> None:
    """Celery's ``task_prerun``: a task handling an event goes on with its request id."""
    event = (kwargs or {}).get("event")
    if isinstance(event, dict):
        _carried[task_id] = request_id.carry(event.get("request_id"))


def end_request_id(task_id: str, **_) -> None:
    """Celery's ``task_postrun``: back to the id before the task (in-process: the web
    request's)."""
    if (token := _carried.pop(task_id, None)) is not None:
        request_id.reset(token)


class Task(CeleryTask):
    max_retries = None  # transient failures retry until the outage ends; see above

    def __call__(self, *args, **kwargs):
        if (caused_by := request_id.current_request_id()) != request_id.OUTSIDE_REQUEST:
            tracing.tag_request_id(caused_by)  # the task's span (kernel/tracing.py)
        try:
            return super().__call__(*args, **kwargs)
        except TRANSIENT as exc:
            if self.request.is_eager or self.request.called_directly:
                raise
            countdown = get_exponential_backoff_interval(
                factor=settings.TASK_RETRY_BACKOFF_SECONDS,
                retries=self.request.retries,
                maximum=MAX_BACKOFF_SECONDS,
            )
            logger.warning(
                "%s: %s: %s; retrying in %d s.", self.name, exc.__class__.__name__, exc, countdown
            )
            raise self.retry(exc=exc, countdown=countdown, outage=True) from exc

    def outage_retries(self) -> int:
        return int(getattr(self.request, OUTAGES, None) or 0)

    def retry(self, *args, exc=None, max_retries=None, outage=False, **kwargs):
        """Celery's retry; ``outage``: this one waits out an outage, which no
        ``max_retries`` counts."""
        if self.request.is_eager and exc is not None:
            raise exc  # in-process: there is no broker to wait with
        outages = self.outage_retries()
        if max_retries is not None:
            max_retries += outages
        headers = {**(kwargs.pop("headers", None) or {}), OUTAGES: outages + outage}
        try:
            return super().retry(*args, exc=exc, max_retries=max_retries, headers=headers, **kwargs)
        finally:
            # Celery keeps the limit of this retry on the task for autoretry's next one,
            # which would then raise it by the outages again.
            self.__dict__.pop("override_max_retries", None)
