"""Typed, versioned events: what an app emits through the outbox and its consumers read.

An event type is a frozen dataclass deriving from :class:`Event`, with a ``TYPE``
(``"booking.confirmed"``) and a ``VERSION`` (``"<major>.<minor>"``). Its fields are
``str``, ``int``, ``bool``, ``Decimal``, ``date``, ``datetime``, ``UUID``, frozen
dataclasses of those, and ``X | None``; in JSON, decimals, dates and UUIDs are strings.

Compatibility, for consumers deployed before or after their producer:

- A **minor** version adds fields with a default, nothing else. A consumer reads every
  minor version of its major one: fields it does not know are ignored, fields a producer
  of an older minor version did not send take their default.
- Anything else (a field removed, renamed or retyped, a new field without a default) is a
  new **major** version. A consumer refuses a major version it does not know, and an event
  that lacks a required field or carries a mistyped one, with :class:`IncompatibleEvent`:
  such a message is dead-lettered, never half understood.

Each event travels in an :class:`Envelope` with its id, type, version, the time it
occurred and the id of the request that caused it.
"""

import dataclasses
import datetime
import types
import typing
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Self

# What an envelope without a version carries: events were first emitted unversioned.
FIRST_VERSION = "1.0"

PARSERS = {
    Decimal: Decimal,
    datetime.date: datetime.date.fromisoformat,
    datetime.datetime: datetime.datetime.fromisoformat,
    uuid.UUID: uuid.UUID,
}


class IncompatibleEvent(ValueError):
    """This consumer cannot read the event: an unknown type or major version, a required
    field missing, or a field of the wrong type. Retrying cannot help."""


def major(version: str) -> str:
    return version.partition(".")[0]


@dataclasses.dataclass(frozen=True)
class Event:
    TYPE: ClassVar[str]
    VERSION: ClassVar[str]

    def payload(self) -> dict:
        """The event as JSON-safe data."""
        return _dump(self)

    @classmethod
    def from_payload(cls, payload: Any, *, version: str) -> Self:
        if major(version) != major(cls.VERSION):
            raise IncompatibleEvent(
                f"{cls.TYPE} version {version} is not readable here (version {cls.VERSION})."
            )
        return _load(cls, payload, where=cls.TYPE)


@dataclasses.dataclass(frozen=True)
class Envelope:
    """One event as it is stored in the outbox and sent to consumers."""

    id: uuid.UUID
    type: str
    version: str
    occurred_at: datetime.datetime
    payload: dict
    # The X-Request-ID of the request that caused the event (kernel.request_id), or None
    # when no request did (a periodic task).
    request_id: str | None = None
    # The W3C trace context (``traceparent``) of the span that emitted the event, or None
    # when it was not traced (kernel/tracing.py). The relay continues that trace; a
    # consumer outside Celery, whose task spans follow the message headers, reads it here.
    traceparent: str | None = None

    def message(self) -> dict:
        return _dump(self)

    @classmethod
    def from_message(cls, message: dict) -> Self:
        """Read a message; one sent before envelopes carried a version and the request id
        (``{id, type, created_at, payload}``) carries version 1.0 of its event."""
        if not isinstance(message, dict):
            raise IncompatibleEvent(f"envelope: expected an object, got {message!r}.")
        message = {"version": FIRST_VERSION, **message}
        message.setdefault("occurred_at", message.get("created_at"))
        return _load(cls, message, where="envelope")

    def event(self, types: typing.Iterable[type[Event]]) -> Event:
        """The event, read as the one of ``types`` whose ``TYPE`` it has."""
        for event_type in types:
            if self.type == event_type.TYPE:
                return event_type.from_payload(self.payload, version=self.version)
        raise IncompatibleEvent(f"No event type {self.type!r} is known here.")


def contract(event_type: type) -> dict:
    """The fields of an event (or of a dataclass in it) and their types, for a checked-in
    record of what each version says; a field with a default is marked ``optional``."""
    hints = typing.get_type_hints(event_type)
    described = {}
    for field in dataclasses.fields(event_type):
        kind = hints[field.name]
        inner = _without_none(kind)
        shape = contract(inner) if dataclasses.is_dataclass(inner) else inner.__name__
        if inner is not kind:
            shape = {"nullable": shape}
        if _has_default(field):
            shape = {"optional": shape}
        described[field.name] = shape
    return described


def _has_default(field: dataclasses.Field) -> bool:
    return field.default is not dataclasses.MISSING or (
        field.default_factory is not dataclasses.MISSING
    )


def _without_none(kind):
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        (inner,) = (arg for arg in typing.get_args(kind) if arg is not type(None))
        return inner
    return kind


def _dump(value):
    if dataclasses.is_dataclass(value):
        return {
            field.name: _dump(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
    if isinstance(value, dict):
        return {key: _dump(item) for key, item in value.items()}
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


def _load(cls, data, *, where: str):
    if not isinstance(data, dict):
        raise IncompatibleEvent(f"{where}: expected an object, got {data!r}.")
    hints = typing.get_type_hints(cls)
    values = {}
    for field in dataclasses.fields(cls):
        if field.name in data:
            values[field.name] = _read(
                hints[field.name], data[field.name], where=f"{where}.{field.name}"
            )
        elif not _has_default(field):
            raise IncompatibleEvent(f"{where}: the required field {field.name!r} is missing.")
    return cls(**values)


def _read(kind, raw, *, where: str):
    inner = _without_none(kind)
    if raw is None and inner is not kind:
        return None
    if dataclasses.is_dataclass(inner):
        return _load(inner, raw, where=where)
    if inner in PARSERS:
        if not isinstance(raw, str):
            raise IncompatibleEvent(f"{where}: expected a {inner.__name__} string, got {raw!r}.")
        try:
            return PARSERS[inner](raw)
        except (ValueError, InvalidOperation) as exc:
            raise IncompatibleEvent(f"{where}: {raw!r} is not a {inner.__name__}.") from exc
    if type(raw) is inner:  # as JSON gives them: True is no int here
        return raw
    raise IncompatibleEvent(f"{where}: expected {inner.__name__}, got {raw!r}.")
