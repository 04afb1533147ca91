"""What the commands that move an app between the monolith's database and its own share:
the app's tables and events, the connections, the freeze, and how they report.

Each prints what it did line by line, or one JSON document with ``--json`` (also when it
refuses). Exit status: 0 done (also when there was nothing left to do), 1 refused with
nothing changed, 2 unknown arguments, 3 the copy differed from its source (nothing
switched; the table is named).
"""

import json
import os
import subprocess
import sys

import psycopg
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from config import environment
from kernel import extraction, write_guard
from kernel.outbox.models import OutboxEvent
from kernel.service_client import app_is_local

MISMATCH = 3
LOCK_TIMEOUT = "3s"  # how long taking the freeze may wait for one table's writers
LOCK_ATTEMPTS = 5


class MoveCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("app", choices=environment.APPS)
        parser.add_argument("--json", action="store_true", help="Print one JSON document.")

    def execute(self, *args, **options):
        self.as_json = options["json"]
        self.report: dict = {"app": options["app"]}
        try:
            return super().execute(*args, **options)
        except extraction.Refused as exc:
            mismatch = isinstance(exc, extraction.Mismatch)
            self.report |= {"status": "mismatch" if mismatch else "refused", "error": str(exc)}
            self.done()
            raise CommandError(str(exc), returncode=MISMATCH if mismatch else 1) from exc

    def move(self, source, target, *, app: str, tables: list[str], where: str, replace: bool):
        """Freeze ``tables`` in ``source`` (``where``), then move them into ``target``
        (``kernel.extraction.move``); if the move is refused, lift the freeze this run took:
        the source stays authoritative."""
        took = freeze(source, app, tables)
        self.report["froze"] = took  # False: it was frozen already (a repeated run)
        self.say(f"Froze {app}'s tables in {where}: its writes answer 503 until the switch.")
        try:
            result = extraction.move(
                source,
                target,
                tables=tables,
                outbox=outbox_table(),
                event_types=event_types(app),
                replace=replace,
            )
        except extraction.Refused:
            if took:
                unfreeze(source, tables)
                self.say(f"Lifted that freeze: {app} stays served from {where}.")
            raise
        for table in result.tables:
            self.say(f"  {table.name}: {table.rows} rows, checksum {table.checksum} (equal)")
        self.say(f"  {result.outbox_events} outbox events moved")
        self.report |= result.report()
        return result

    def say(self, line: str) -> None:
        if not self.as_json:
            self.stdout.write(line)

    def done(self) -> None:
        if self.as_json:
            self.stdout.write(json.dumps(self.report, default=str))


def monolith_url() -> str:
    if connections["default"].vendor != "postgresql":
        raise extraction.Refused("Moving an app's data needs PostgreSQL on both sides.")
    return extraction.url(connections["default"].settings_dict)


def describe(database_url: str) -> str:
    """A database URL without its password, for printing."""
    params = psycopg.conninfo.conninfo_to_dict(database_url)
    host = params.get("host", "localhost")
    return f"{params.get('dbname')} on {host}:{params.get('port', 5432)}"


def installed_tables(app: str) -> list[str]:
    """The tables of an app installed in this process (with those of its many-to-many
    fields)."""
    if not app_is_local(app):
        raise extraction.Refused(f"{app} is not installed in this process.")
    models = apps.get_app_config(app).get_models(include_auto_created=True)
    return sorted(model._meta.db_table for model in models if model._meta.managed)


def event_types(app: str) -> list[str]:
    return list(environment.wiring(app).emits)


def outbox_table() -> str:
    return OutboxEvent._meta.db_table


def migrate_service(app: str, database_url: str) -> None:
    """Migrate the app's own database with its service profile; its identity database is
    this one (the monolith's)."""
    env = {name: value for name, value in os.environ.items() if name != "REMOTE_APPS"}
    env |= {
        "DJANGO_SETTINGS_MODULE": f"config.settings.{app}",
        "DATABASE_URL": database_url,
        "IDENTITY_DATABASE_URL": monolith_url(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate_service", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise extraction.Refused(f"Migrating {describe(database_url)} failed:\n{result.stderr}")


def freeze(conn: psycopg.Connection, app: str, tables: list[str]) -> bool:
    """Freeze ``tables`` (committed when this returns); False if they were frozen already.
    Waits at most LOCK_TIMEOUT for the transactions writing to a table, a few times over."""
    if write_guard.guarded_tables(conn, app, write_guard.READ_ONLY):
        raise extraction.Refused(
            f"{app} has moved already: its tables here are read-only (lift_freeze ran)."
        )
    if set(write_guard.guarded_tables(conn, app, write_guard.FREEZE)) >= set(tables):
        return False
    attempts = LOCK_ATTEMPTS
    while True:
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                write_guard.remove(conn, tables, write_guard.FREEZE)
                write_guard.install(conn, app, tables, write_guard.FREEZE)
            return True
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            attempts -= 1
            if not attempts:
                raise extraction.Refused(
                    f"{app}'s tables stayed busy with writes; nothing was frozen. Try again."
                ) from None


def unfreeze(conn: psycopg.Connection, tables: list[str]) -> None:
    with conn.transaction():
        write_guard.remove(conn, tables, write_guard.FREEZE)
