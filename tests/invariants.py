"""The invariant every fault scenario must leave true, read straight from the databases.

For every departure: the seats booked equal the seats of its confirmed bookings, the seats
held equal its open holds, and held + booked never exceed the capacity. Every payment that
succeeded (and was not refunded) is the payment of a confirmed booking.

The monolith keeps everything in one database; services mode gives catalog, bookings and
payments a database each. Pass each app's database as a connection (anything with a DB-API
``cursor()``, such as ``django.db.connection``) or as a ``postgres://`` URL; all three
default to the test's own database.
"""

import contextlib
from collections import defaultdict
from collections.abc import Iterator

import psycopg
from django.db import connection as default_connection


@contextlib.contextmanager
def _database(source) -> Iterator:
    if source is None:
        yield default_connection
    elif isinstance(source, str):
        with psycopg.connect(source, autocommit=True) as connection:
            yield connection
    else:
        yield source


def _rows(source, sql: str) -> list[tuple]:
    with _database(source) as connection, connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def invariant_violations(*, catalog=None, bookings=None, payments=None) -> list[str]:
    """Every way the databases break the invariant, as sentences; empty when it holds."""
    departures = _rows(
        catalog, "SELECT id, capacity, seats_held, seats_booked FROM catalog_departure"
    )
    open_holds = dict(
        _rows(
            catalog,
            "SELECT departure_id, SUM(seats) FROM catalog_seathold WHERE status = 'held' "
            "GROUP BY departure_id",
        )
    )
    confirmed = _rows(
        bookings,
        "SELECT reference, departure_id, seats, payment_key FROM bookings_booking "
        "WHERE status = 'confirmed'",
    )
    kept_payments = _rows(
        payments,
        "SELECT p.key, p.booking_reference FROM payments_payment p "
        "LEFT JOIN payments_refund r ON r.payment_id = p.id "
        "WHERE p.status = 'succeeded' AND r.id IS NULL",
    )

    booked = defaultdict(int)
    for _, departure_id, seats, _ in confirmed:
        booked[departure_id] += seats
    problems = []
    for departure_id, capacity, held, seats_booked in departures:
        if seats_booked != booked[departure_id]:
            problems.append(
                f"departure {departure_id}: {seats_booked} seats booked but confirmed bookings "
                f"have {booked[departure_id]}"
            )
        if held != open_holds.get(departure_id, 0):
            problems.append(
                f"departure {departure_id}: {held} seats held but open holds have "
                f"{open_holds.get(departure_id, 0)}"
            )
        if held + seats_booked > capacity:
            problems.append(
                f"departure {departure_id}: {held} held + {seats_booked} booked "
                f"exceed the capacity of {capacity}"
            )
    paid_by = {payment_key: reference for reference, _, _, payment_key in confirmed}
    for key, reference in kept_payments:
        if paid_by.get(key) != reference:
            problems.append(
                f"payment {key} of {reference} succeeded but is neither the payment of a "
                "confirmed booking nor refunded"
            )
    return problems


def assert_invariants(*, catalog=None, bookings=None, payments=None) -> None:
    problems = invariant_violations(catalog=catalog, bookings=bookings, payments=payments)
    assert not problems, "The invariant is broken:\n" + "\n".join(problems)
