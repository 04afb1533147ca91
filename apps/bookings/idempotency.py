"""Idempotency-Key handling for POST /api/bookings/.

The same key with the same body replays the first answer; the same key with another body
is a 422; a duplicate that arrives while the first is still running is a 409. An answer
caused by an outage (5xx) is not kept, so the client's retry runs again.

A request in progress owns its key for REQUEST_LEASE_SECONDS. If its process dies (kill -9,
a lost machine), a retry after the lease takes the key over and resumes the work, which is
idempotent: the record carries the booking's id, so the retry makes the same seat hold
(keyed by it) and finds the booking if it was already recorded.
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .exceptions import IdempotencyKeyMissing, IdempotencyKeyReused, RequestInProgress
from .models import IdempotencyRecord

MAX_KEY_LENGTH = 255


def fingerprint(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_claim(*, key: str | None, data: dict) -> IdempotencyRecord:
    """Claim the key for this request, or explain why this request must not run."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyMissing(
            f"Send a unique Idempotency-Key header (at most {MAX_KEY_LENGTH} characters) "
            "so that retrying this request cannot book twice."
        )
    digest = fingerprint(data)
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                key=key, fingerprint=digest, locked_until=_lease_end()
            )
    except IntegrityError:
        record = IdempotencyRecord.objects.get(key=key)
    if record.fingerprint != digest:
        raise IdempotencyKeyReused(f"Idempotency-Key {key!r} was used with a different body.")
    if record.state == IdempotencyRecord.State.IN_PROGRESS and not _take_over(record):
        raise RequestInProgress(f"A request with Idempotency-Key {key!r} is still running.")
    return record


def _lease_end() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.REQUEST_LEASE_SECONDS)


def _take_over(record: IdempotencyRecord) -> bool:
    """Claim a record whose lease ran out (its request died) for this request. A
    conditional UPDATE: of two retries racing for it, exactly one wins."""
    lapsed = Q(locked_until__isnull=True) | Q(locked_until__lte=timezone.now())
    record.locked_until = _lease_end()
    return bool(
        IdempotencyRecord.objects.filter(
            lapsed, pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS
        ).update(locked_until=record.locked_until)
    )


def idempotency_complete(record: IdempotencyRecord, *, status: int, body: dict) -> None:
    """Keep the answer for replays; an answer caused by an outage (5xx) is not kept."""
    if status >= 500:
        idempotency_release(record)
        return
    _still_owned(record).update(
        state=IdempotencyRecord.State.COMPLETED, response_status=status, response_body=body
    )


def idempotency_release(record: IdempotencyRecord) -> None:
    """Give the key up unanswered, so that a retry runs again."""
    _still_owned(record).delete()


def _still_owned(record: IdempotencyRecord):
    """The record, unless a retry took it over after this request's lease ran out: the
    retry then answers for the key."""
    return IdempotencyRecord.objects.filter(pk=record.pk, locked_until=record.locked_until)


def idempotency_records_prune(*, now: datetime.datetime | None = None) -> int:
    """Forget keys older than IDEMPOTENCY_KEY_RETENTION_HOURS (their answers, and the
    records of requests that died); returns how many were deleted."""
    age = datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    old = IdempotencyRecord.objects.filter(created_at__lt=(now or timezone.now()) - age)
    return old.delete()[0]
