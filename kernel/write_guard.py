"""Write guards on an app's tables: PostgreSQL triggers that refuse every write to them.

Moving an app to its own database (``manage.py extract_app``) first **freezes** its tables:
a statement-level trigger ``BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE`` on each one
raises an error, so no writer can get past it, whatever its path (an API view, another
app's in-process client call, a Celery task, the admin, a shell). Once the app is served
from its new database, ``manage.py lift_freeze`` swaps the freeze for a **read-only** guard
of the same kind, kept until ``manage.py drop_extracted`` drops the tables.

The guards raise SQLSTATEs of class 55 ("object not in prerequisite state"), which psycopg
raises as ``OperationalError``: like a database outage (``kernel.outages``), a refused
write answers 503 with ``Retry-After`` (``kernel.problems``) and a Celery task retries it
later; reads and the other apps' tables are untouched. The triggers carry the app's label,
so the guarded tables of an app are found in the database itself, also where the app is no
longer installed.
"""

import psycopg
from psycopg import sql

FREEZE = "tourism_write_freeze"
READ_ONLY = "tourism_read_only"
GUARDS = {
    # trigger name: (SQLSTATE, message; %s is the app's label)
    FREEZE: ("55T01", "Writes to %s are paused while it moves to its own database."),
    READ_ONLY: ("55T02", "%s has moved to its own database; its tables here are read-only."),
}
SQLSTATES = {sqlstate for sqlstate, _ in GUARDS.values()}

FUNCTION = sql.SQL(
    """
    CREATE OR REPLACE FUNCTION tourism_refuse_write() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING ERRCODE = TG_ARGV[1], MESSAGE = format(TG_ARGV[2], TG_ARGV[0]),
            HINT = 'Retry in a few seconds.';
    END
    $$
    """
)


def refusal(exc: BaseException) -> str | None:
    """The guard's message when ``exc`` is a write a guard refused (raised by psycopg, or
    by Django's database layer around it), else None."""
    for error in (exc, exc.__cause__):
        if isinstance(error, psycopg.Error) and error.sqlstate in SQLSTATES:
            return error.diag.message_primary
    return None


def guarded_tables(conn: psycopg.Connection, app: str, guard: str | None = None) -> list[str]:
    """The tables guarded for ``app`` (by ``guard``, or by either guard), by name."""
    names = [guard] if guard else list(GUARDS)
    rows = conn.execute(
        """
        SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        WHERE t.tgname = ANY(%s) AND split_part(encode(t.tgargs, 'escape'), '\\000', 1) = %s
        ORDER BY c.relname
        """,
        [names, app],
    ).fetchall()
    return [row[0] for row in rows]


def install(conn: psycopg.Connection, app: str, tables: list[str], guard: str) -> None:
    """Guard ``tables`` with ``guard``, in the caller's transaction. Creating a trigger
    waits for the transactions that are writing to the table, so once this commits, every
    write made before is committed and every later one is refused."""
    sqlstate, message = GUARDS[guard]
    conn.execute(FUNCTION)
    for table in tables:
        conn.execute(
            sql.SQL(
                "CREATE TRIGGER {} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {} "
                "FOR EACH STATEMENT EXECUTE FUNCTION tourism_refuse_write({}, {}, {})"
            ).format(
                sql.Identifier(guard),
                sql.Identifier(table),
                sql.Literal(app),
                sql.Literal(sqlstate),
                sql.Literal(message),
            )
        )


def remove(conn: psycopg.Connection, tables: list[str], guard: str) -> None:
    """Take ``guard`` off ``tables``, in the caller's transaction."""
    for table in tables:
        conn.execute(
            sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(
                sql.Identifier(guard), sql.Identifier(table)
            )
        )
