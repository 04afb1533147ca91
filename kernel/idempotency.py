"""Idempotent HTTP writes: an ``Idempotency-Key`` header makes retrying a POST safe.

Decorate a DRF view method with :func:`idempotent`; its app keeps the records in a model
of its own that derives from :class:`IdempotencyRecord`. The same key with the same
request replays the first answer (with ``Idempotent-Replayed: true``); the same key with
another request is a 422; a duplicate that arrives while the first is still running is a
409. An answer caused by an outage (5xx) is not kept, so the client's retry runs again.

A request in progress owns its key for ``REQUEST_LEASE_SECONDS``. If its process dies
(kill -9, a lost machine), a retry after the lease takes the key over and runs the method
again with the same record: the method makes its work idempotent by what the record
carries (bookings keeps the id of the booking to make there).
"""

import datetime
import functools
import hashlib
import json

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.response import Response

from kernel.problems import DomainError, exception_handler

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyMissing(DomainError):
    status = 400
    code = "idempotency-key-required"
    title = "An Idempotency-Key header is required"


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "idempotency-key-reused"
    title = "This Idempotency-Key was used with a different request"


class RequestInProgress(DomainError):
    status = 409
    code = "request-in-progress"
    title = "A request with this Idempotency-Key is still being processed"


class IdempotencyRecord(models.Model):
    """The first answer to a request with a given Idempotency-Key."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"

    key = models.CharField(max_length=MAX_KEY_LENGTH, unique=True)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    locked_until = models.DateTimeField(
        null=True, help_text="The request in progress owns the key until then."
    )
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"

    @classmethod
    def claim(cls, *, key: str | None, data: dict) -> "IdempotencyRecord":
        """Claim the key for this request, or explain why this request must not run."""
        if not key or len(key) > MAX_KEY_LENGTH:
            raise IdempotencyKeyMissing(
                f"Send a unique Idempotency-Key header (at most {MAX_KEY_LENGTH} characters) "
                "so that retrying this request cannot do it twice."
            )
        digest = fingerprint(data)
        try:
            with transaction.atomic():
                return cls.objects.create(key=key, fingerprint=digest, locked_until=_lease_end())
        except IntegrityError:
            record = cls.objects.filter(key=key).first()
        if record is None:  # its request gave the key up meanwhile: claim it afresh
            return cls.claim(key=key, data=data)
        if record.fingerprint != digest:
            raise IdempotencyKeyReused(f"Idempotency-Key {key!r} was used with a different body.")
        if record.state == cls.State.IN_PROGRESS and not record._take_over():
            raise RequestInProgress(f"A request with Idempotency-Key {key!r} is still running.")
        return record

    def _take_over(self) -> bool:
        """Claim a record whose lease ran out (its request died) for this request. A
        conditional UPDATE: of two retries racing for it, exactly one wins."""
        lapsed = Q(locked_until__isnull=True) | Q(locked_until__lte=timezone.now())
        self.locked_until = _lease_end()
        return bool(
            type(self)
            .objects.filter(lapsed, pk=self.pk, state=self.State.IN_PROGRESS)
            .update(locked_until=self.locked_until)
        )

    def complete(self, *, status: int, body) -> None:
        """Keep the answer for replays; an answer caused by an outage (5xx) is not kept."""
        if status >= 500:
            self.release()
            return
        self._still_owned().update(
            state=self.State.COMPLETED, response_status=status, response_body=body
        )

    def release(self) -> None:
        """Give the key up unanswered, so that a retry runs again."""
        self._still_owned().delete()

    def _still_owned(self):
        """The record, unless a retry took it over after this request's lease ran out: the
        retry then answers for the key."""
        return type(self).objects.filter(pk=self.pk, locked_until=self.locked_until)

    def replay(self) -> Response:
        response = Response(self.response_body, status=self.response_status)
        if self.response_status >= 400:
            response.content_type = "application/problem+json"
        response["Idempotent-Replayed"] = "true"
        return response

    @classmethod
    def prune(cls, *, now: datetime.datetime | None = None) -> int:
        """Forget keys older than IDEMPOTENCY_KEY_RETENTION_HOURS (their answers, and the
        records of requests that died); returns how many were deleted."""
        age = datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
        return cls.objects.filter(created_at__lt=(now or timezone.now()) - age).delete()[0]


def fingerprint(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lease_end() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.REQUEST_LEASE_SECONDS)


def idempotent(records: type[IdempotencyRecord], *, body):
    """Make a DRF view method that writes idempotent by the request's Idempotency-Key.

    ``body`` is the serializer of the request body; it is validated first (a 400 claims no
    key). The method is called with ``data`` (the validated body) and ``record`` (the
    claimed record of ``records``) as keyword arguments and returns a ``Response``. The
    fingerprint covers the body and the URL's arguments, so one key cannot be used for two
    different resources. Its answer is kept for replays, a domain error's problem
    included; any other exception gives the key up for a retry."""

    def decorate(method):
        @functools.wraps(method)
        def handle(view, request, *args, **kwargs):
            data = body(data=request.data)
            data.is_valid(raise_exception=True)
            # An endpoint without URL arguments fingerprints the body alone.
            scope = {"body": data.validated_data, "url": kwargs} if kwargs else data.validated_data
            record = records.claim(key=request.headers.get(HEADER), data=scope)
            if record.state == records.State.COMPLETED:
                return record.replay()
            try:
                response = method(
                    view, request, *args, data=data.validated_data, record=record, **kwargs
                )
            except DomainError as exc:
                response = exception_handler(exc, {})
                record.complete(status=response.status_code, body=json.loads(response.content))
                return response
            except BaseException:
                record.release()
                raise
            record.complete(status=response.status_code, body=response.data)
            return response

        return handle

    return decorate
