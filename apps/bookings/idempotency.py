"""Idempotency-Key handling for POST /api/bookings/.

The same key with the same body replays the first answer; the same key with another body
is a 422; a duplicate that arrives while the first is still running is a 409. An answer
caused by an outage (5xx) is not kept, so the client's retry runs again.
"""

import hashlib
import json

from django.db import IntegrityError, transaction

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
            return IdempotencyRecord.objects.create(key=key, fingerprint=digest)
    except IntegrityError:
        record = IdempotencyRecord.objects.get(key=key)
    if record.fingerprint != digest:
        raise IdempotencyKeyReused(f"Idempotency-Key {key!r} was used with a different body.")
    if record.state == IdempotencyRecord.State.IN_PROGRESS:
        raise RequestInProgress(f"A request with Idempotency-Key {key!r} is still running.")
    return record


def idempotency_complete(record: IdempotencyRecord, *, status: int, body: dict) -> None:
    if status >= 500:
        record.delete()
        return
    record.state = IdempotencyRecord.State.COMPLETED
    record.response_status = status
    record.response_body = body
    record.save(update_fields=["state", "response_status", "response_body"])
