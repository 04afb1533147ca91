"""Ends an app's write freeze in the monolith's database once the app is served from its own
database: the freeze becomes a read-only guard (``kernel.write_guard``), so the old tables
stay as they were, for a rollback (``merge_app_back``), until ``drop_extracted``."""

from kernel import extraction, write_guard
from kernel.management import moving


class Command(moving.MoveCommand):
    help = "Turn an extracted app's write freeze here into a read-only guard."

    def handle(self, *args, app, **options):
        with extraction.connect(moving.monolith_url(), autocommit=True) as conn:
            frozen = write_guard.guarded_tables(conn, app, write_guard.FREEZE)
            read_only = write_guard.guarded_tables(conn, app, write_guard.READ_ONLY)
            if not frozen and not read_only:
                raise extraction.Refused(f"{app}'s tables here are not frozen: nothing to lift.")
            with conn.transaction():
                write_guard.remove(conn, frozen, write_guard.FREEZE)
                write_guard.install(conn, app, frozen, write_guard.READ_ONLY)
        self.report |= {"status": "read-only", "tables": sorted({*frozen, *read_only})}
        if frozen:
            self.say(f"Lifted the freeze on {app}: its tables here are read-only now.")
        else:
            self.say(f"{app}'s tables here were read-only already.")
        self.done()
