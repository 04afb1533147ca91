"""The events bookings publishes keep their word: each version's fields and types are
recorded in event_contracts.json, and a change the version does not own up to fails here.

When one of these tests fails after a change to apps/bookings/events.py:
- a new field with a default (readable by consumers of the older minor version): raise the
  event's minor VERSION (1.0 -> 1.1) and add the new version's entry to the file;
- anything else (a field removed, renamed or retyped, a new field without a default):
  raise the major VERSION (1.1 -> 2.0), add its entry, and first deploy consumers that
  read both majors, since a consumer dead-letters a major version it does not know.
Never edit the entry of a version already released. ``contract(event_type)`` from
kernel.outbox.events gives the entry to add.
"""

import json
from pathlib import Path

import pytest

from apps.bookings.events import EVENTS
from kernel.outbox.events import contract, major

RECORDED = json.loads(Path(__file__).with_name("event_contracts.json").read_text())

each_event = pytest.mark.parametrize("event_type", EVENTS, ids=lambda event: event.TYPE)


@each_event
def test_the_current_version_is_the_recorded_one(event_type):
    recorded = RECORDED.get(event_type.TYPE, {}).get(event_type.VERSION)
    assert recorded == contract(event_type), (
        f"{event_type.TYPE} {event_type.VERSION} differs from its record: raise its VERSION "
        "and record the new one (see this module's docstring)."
    )


@each_event
def test_a_minor_version_only_adds_fields_with_a_default(event_type):
    current = contract(event_type)
    for version, fields in RECORDED[event_type.TYPE].items():
        if major(version) == major(event_type.VERSION):
            assert only_optional_additions(fields, current), (
                f"{event_type.TYPE} {event_type.VERSION} cannot be read by consumers of "
                f"{version}: raise the major VERSION instead (see this module's docstring)."
            )


def only_optional_additions(older, newer) -> bool:
    """Whether ``newer`` says all that ``older`` said, in the same types, plus only fields
    with a default (in nested dataclasses too)."""
    if not (isinstance(older, dict) and isinstance(newer, dict)):
        return older == newer
    added = [newer[name] for name in newer.keys() - older.keys()]
    return all(
        name in newer and only_optional_additions(shape, newer[name])
        for name, shape in older.items()
    ) and all(isinstance(shape, dict) and "optional" in shape for shape in added)


def test_a_field_removed_in_a_minor_version_is_caught():
    older = {"reference": "str", "customer": {"name": "str", "email": "str"}}
    assert only_optional_additions(older, {**older, "note": {"optional": "str"}})
    assert not only_optional_additions(older, {**older, "note": "str"})
    assert not only_optional_additions(older, {**older, "reference": "int"})
    assert not only_optional_additions(older, {**older, "customer": {"name": "str"}})
