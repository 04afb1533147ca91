"""Drops the old tables of an extracted app from the monolith's database, for good.

Only with ``--yes``, only where the app is no longer installed (it is in ``REMOTE_APPS``),
and only once its freeze was lifted (``lift_freeze``: its own database serves it). The
app's migration history here goes too, so a later ``migrate`` with the app installed would
make its tables again, empty."""

from psycopg import sql

from kernel import extraction, write_guard
from kernel.management import moving
from kernel.service_client import app_is_local


class Command(moving.MoveCommand):
    help = "Drop an extracted app's read-only tables from this (the monolith's) database."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--yes", action="store_true", help="Really drop them.")

    def handle(self, *args, app, yes, **options):
        with extraction.connect(moving.monolith_url(), autocommit=True) as conn:
            tables = write_guard.guarded_tables(conn, app, write_guard.READ_ONLY)
            frozen = write_guard.guarded_tables(conn, app, write_guard.FREEZE)
            self.report["tables"] = tables
            if frozen:
                raise extraction.Refused(
                    f"{app} is still frozen here: switch it over and run lift_freeze first."
                )
            if not tables:
                raise extraction.Refused(f"{app} has no read-only tables here: nothing to drop.")
            if app_is_local(app):
                raise extraction.Refused(
                    f"{app} is still installed in this process: add it to REMOTE_APPS first."
                )
            if not yes:
                raise extraction.Refused(
                    f"This drops {', '.join(tables)} for good: run again with --yes."
                )
            with conn.transaction():
                conn.execute(sql.SQL("DROP TABLE {}").format(extraction.identifiers(tables)))
                conn.execute("DELETE FROM django_migrations WHERE app = %s", [app])
        self.report["status"] = "dropped"
        self.say(f"Dropped {', '.join(tables)}.")
        self.done()
