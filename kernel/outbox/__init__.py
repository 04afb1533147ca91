"""The transactional outbox: events leave a process only after the transaction that
caused them commits.

Call :func:`emit` with a typed event (:mod:`kernel.outbox.events`) inside the same
``transaction.atomic()`` as the state change it announces. A relay (``manage.py
outbox_relay``) publishes committed events to RabbitMQ with publisher confirms; with no
broker configured they are handed to their Celery tasks in-process right after commit
(the embedded default).
"""


def emit(event):
    """Record ``event`` (a :class:`~kernel.outbox.events.Event`) in the caller's
    transaction; returns the :class:`~kernel.outbox.models.OutboxEvent` (its ``id`` is the
    event id)."""
    from kernel.outbox.services import outbox_emit  # the app registry is ready only now

    return outbox_emit(event=event)
