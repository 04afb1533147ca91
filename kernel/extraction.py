"""Moving one app's data between two PostgreSQL databases: the monolith's and the app's own.

:func:`move` copies an app's tables from a source database, whose tables are frozen
(``kernel.write_guard``), into the same tables of a target database migrated with the
same code, then verifies them, all in **one transaction on the target**: rows stream with
``COPY ... TO STDOUT`` / ``COPY ... FROM STDIN`` in PostgreSQL's binary format, sequences
are set to where the source's were (at least past the highest id, so no id is ever used
twice), and each table's row count and checksum (an md5 over every row's text, in primary
key order) must be equal on both sides before the target commits. A mismatch rolls the
target back and names the tables that differ.

The app's outbox events (the rows of the platform's outbox table whose type the app emits,
``Wiring.emits``) move with it: they are locked in the source (the source's relay skips
locked rows), added to the target's outbox (its relay publishes those still waiting), and
deleted from the source once the target has committed. Were the process to die between the
two commits, the events would stay in both outboxes: consumers dedupe by event id, and
running the move again finishes it. The app's idempotency records are its own tables and
move with them.
"""

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from urllib.parse import quote

import psycopg
from psycopg import sql

from kernel import write_guard

# Row text (and so the checksums) must not depend on either session's settings.
SESSION_OPTIONS = "-c TimeZone=UTC -c DateStyle=ISO,YMD -c extra_float_digits=3"


EVERY_ROW = sql.SQL("TRUE")


def of_types(event_types: list[str]) -> sql.Composable:
    """The outbox rows of these event types."""
    return sql.SQL("type = ANY({})").format(sql.Literal(event_types))


class Refused(Exception):
    """The move cannot start or finish as asked; nothing was changed. The message says why."""


class Mismatch(Refused):
    """The target's copy differs from the source; nothing was switched."""

    def __init__(self, tables: list[str], detail: str = "the target was rolled back"):
        self.tables = tables
        super().__init__(f"The copy differs from the source in {', '.join(tables)}: {detail}.")


@dataclass
class Table:
    name: str
    rows: int = 0
    checksum: str = ""
    target_rows: int | None = None
    target_checksum: str | None = None

    @property
    def matches(self) -> bool:
        return (self.rows, self.checksum) == (self.target_rows, self.target_checksum)

    def report(self) -> dict:
        return asdict(self) | {"matches": self.matches}


@dataclass
class Result:
    tables: list[Table] = field(default_factory=list)
    copied: bool = False  # False: the target already held the same rows
    outbox_events: int = 0
    seconds: float = 0.0

    def report(self) -> dict:
        return {
            "tables": [table.report() for table in self.tables],
            "copied": self.copied,
            "outbox_events": self.outbox_events,
            "seconds": round(self.seconds, 3),
        }


def url(settings_dict: dict) -> str:
    """A ``postgres://`` URL for a Django database's settings."""
    user = quote(settings_dict["USER"] or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def connect(database_url: str, **kwargs) -> psycopg.Connection:
    try:
        return psycopg.connect(database_url, options=SESSION_OPTIONS, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        raise Refused(f"Cannot connect to the database: {exc}".strip()) from exc


def create_database(database_url: str) -> bool:
    """Create the database ``database_url`` names unless it exists; True if created."""
    params = psycopg.conninfo.conninfo_to_dict(database_url)
    name = params.pop("dbname")
    maintenance = psycopg.conninfo.make_conninfo(**params, dbname="postgres")
    with connect(maintenance, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def columns(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """The table's columns in order: (name, type)."""
    return conn.execute(
        """
        SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
        WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
        """,
        [table],
    ).fetchall()


def _primary_key(conn: psycopg.Connection, table: str) -> list[str]:
    rows = conn.execute(
        """
        SELECT a.attname FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY a.attnum
        """,
        [table],
    ).fetchall()
    return [row[0] for row in rows]


def identifiers(names: Iterable[str]) -> sql.Composable:
    return sql.SQL(", ").join(map(sql.Identifier, names))


def checksum(
    conn: psycopg.Connection, table: str, where: sql.Composable = EVERY_ROW
) -> tuple[int, str]:
    """(row count, md5 over the md5 of every row's text in primary key order). The row's
    columns are taken by name, so both sides agree whatever order they were added in."""
    names = sorted(name for name, _ in columns(conn, table))
    key = _primary_key(conn, table) or names
    query = sql.SQL(
        "SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY {})), '') "
        "FROM (SELECT {} FROM {} WHERE {}) t"
    ).format(
        sql.SQL(", ").join(sql.Identifier("t", name) for name in key),
        identifiers(names),
        sql.Identifier(table),
        where,
    )
    count, digest = conn.execute(query).fetchone()
    return count, digest


def measure(conn: psycopg.Connection, tables: list[str]) -> list[dict]:
    """What moving ``tables`` reads: rows, bytes on disk, and the seconds it took here to
    read them as the move does (``COPY``, then the checksum)."""
    measured = []
    for table in tables:
        started = time.perf_counter()
        with conn.cursor().copy(_copy_out(conn, table)) as copy:
            for _ in copy:
                pass
        rows, _ = checksum(conn, table)
        size = conn.execute("SELECT pg_total_relation_size(%s::regclass)", [table]).fetchone()[0]
        measured.append(
            {
                "table": table,
                "rows": rows,
                "bytes": size,
                "read_seconds": round(time.perf_counter() - started, 3),
            }
        )
    return measured


def _copy_out(conn: psycopg.Connection, table: str, where: sql.Composable = EVERY_ROW):
    names = identifiers(name for name, _ in columns(conn, table))
    return sql.SQL("COPY (SELECT {} FROM {} WHERE {}) TO STDOUT (FORMAT BINARY)").format(
        names, sql.Identifier(table), where
    )


def _copy(source, target, table: str, into: str, where: sql.Composable = EVERY_ROW) -> None:
    names = identifiers(name for name, _ in columns(source, table))
    copy_in = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(sql.Identifier(into), names)
    with (
        source.cursor().copy(_copy_out(source, table, where)) as rows_out,
        target.cursor().copy(copy_in) as rows_in,
    ):
        for block in rows_out:
            rows_in.write(block)


def _sequences(conn: psycopg.Connection, table: str) -> list[tuple[str, str]]:
    """(column, sequence) for every column of the table that a sequence fills."""
    rows = conn.execute(
        """
        SELECT attname, pg_get_serial_sequence(quote_ident(%s), attname) FROM pg_attribute
        WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
        """,
        [table, table],
    ).fetchall()
    return [(column, sequence) for column, sequence in rows if sequence]


def _carry_sequences(source, target, table: str) -> None:
    """Each of the target's sequences goes where the source's is, or past the highest
    value in the table if that is further: no id is ever handed out twice."""
    for column, sequence in _sequences(target, table):
        last, called = source.execute(
            sql.SQL("SELECT last_value, is_called FROM {}").format(sql.SQL(sequence))
        ).fetchone()
        highest = target.execute(
            sql.SQL("SELECT max({}) FROM {}").format(sql.Identifier(column), sql.Identifier(table))
        ).fetchone()[0]
        value = max(last if called else 0, highest or 0)
        if value:
            target.execute("SELECT setval(%s, %s, true)", [sequence, value])


def _holds_rows(conn, table: str) -> bool:
    query = sql.SQL("SELECT EXISTS (SELECT 1 FROM {})").format(sql.Identifier(table))
    return conn.execute(query).fetchone()[0]


def _where(conn: psycopg.Connection) -> tuple:
    return conn.info.host, conn.info.port, conn.info.dbname


def _compare(source, target, tables: list[Table]) -> list[str]:
    """Count and checksum each table on both sides, the two at once (each database does
    its own); the names of those that differ."""
    with ThreadPoolExecutor(max_workers=1) as other_side:
        sources = other_side.submit(lambda: [checksum(source, table.name) for table in tables])
        for table in tables:
            table.target_rows, table.target_checksum = checksum(target, table.name)
        for table, (rows, digest) in zip(tables, sources.result(), strict=True):
            table.rows, table.checksum = rows, digest
    return [table.name for table in tables if not table.matches]


def _verify(source, target, tables: list[Table], outbox: str, event_ids: list) -> None:
    differing = _compare(source, target, tables)
    moved = sql.SQL("id = ANY({})").format(sql.Literal(event_ids))
    if checksum(source, outbox, moved) != checksum(target, outbox, moved):
        differing.append(f"{outbox} (the moved events)")
    if differing:
        raise Mismatch(differing)


def move(
    source: psycopg.Connection,
    target: psycopg.Connection,
    *,
    tables: list[str],
    outbox: str,
    event_types: list[str],
    replace: bool,
) -> Result:
    """Copy ``tables`` (frozen in the source) and the app's outbox events from ``source``
    into ``target`` and verify them, or change nothing and raise :class:`Refused`.

    ``replace=False`` (extraction): the target's tables must be empty, or already hold
    exactly the source's rows (a repeated run: nothing is copied again). ``replace=True``
    (a rollback into the monolith): the target's tables are emptied and refilled, and
    their write guards are removed in the same transaction."""
    if _where(source) == _where(target):
        raise Refused("The source and the target are the same database.")
    started = time.perf_counter()
    result = Result(tables=[Table(name) for name in tables])
    try:
        _move(source, target, result, outbox=outbox, event_types=event_types, replace=replace)
    except psycopg.Error as exc:  # a lost connection, a constraint the copy broke
        raise Refused(f"The copy failed and was rolled back: {exc}") from exc
    result.seconds = time.perf_counter() - started
    return result


def _move(source, target, result: Result, *, outbox: str, event_types: list[str], replace: bool):
    tables = [table.name for table in result.tables]
    with source.transaction(), target.transaction():
        for name in [*tables, outbox]:
            if sorted(columns(source, name)) != sorted(columns(target, name)):
                raise Refused(
                    f"{name} has other columns in the target than in the source: migrate both "
                    "with the same code first."
                )
        if replace:
            for guard in write_guard.GUARDS:
                write_guard.remove(target, tables, guard)
            target.execute(sql.SQL("TRUNCATE {}").format(identifiers(tables)))
            result.copied = True
        elif any(_holds_rows(target, name) for name in tables):
            _verify_existing(source, target, result.tables)
        else:
            result.copied = True
        if result.copied:
            for name in tables:
                _copy(source, target, name, name)
                _carry_sequences(source, target, name)
        event_ids = _move_events(source, target, outbox, event_types)
        result.outbox_events = len(event_ids)
        _verify(source, target, result.tables, outbox, event_ids)
        source.execute(
            sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(sql.Identifier(outbox)),
            [event_ids],
        )


def _verify_existing(source, target, tables: list[Table]) -> None:
    """The target already holds rows: a repeated run finds exactly the source's rows."""
    differing = _compare(source, target, tables)
    if differing:
        raise Mismatch(
            differing,
            "its rows there are not the source's (changed since the copy, or "
            "written by a service already); nothing was copied",
        )


def _move_events(source, target, outbox: str, event_types: list[str]) -> list:
    """Lock the source's events of ``event_types`` and add them to the target's outbox
    (skipping those a repeated run finds there already); returns their ids."""
    locked = source.execute(
        sql.SQL("SELECT id FROM {} WHERE {} ORDER BY id FOR UPDATE").format(
            sql.Identifier(outbox), of_types(event_types)
        )
    ).fetchall()
    event_ids = [row[0] for row in locked]
    if not event_ids:
        return []
    names = identifiers(name for name, _ in columns(target, outbox))
    target.execute(
        sql.SQL("CREATE TEMPORARY TABLE moving_events (LIKE {}) ON COMMIT DROP").format(
            sql.Identifier(outbox)
        )
    )
    where = sql.SQL("id = ANY({})").format(sql.Literal(event_ids))
    _copy(source, target, outbox, "moving_events", where)
    target.execute(
        sql.SQL(
            "INSERT INTO {} ({}) SELECT {} FROM moving_events ON CONFLICT (id) DO NOTHING"
        ).format(sql.Identifier(outbox), names, names)
    )
    return event_ids
