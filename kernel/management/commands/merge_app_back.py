"""Rolls an extracted app back into the monolith: its data comes home from its own database.

Run with the monolith's settings, while the app is still served from its own database. It
freezes the app's tables there (its writes answer 503 until routing is switched back),
replaces the monolith's old copy of them (stale since the switch) with their rows, moves
the app's outbox events back, verifies every table as ``extract_app`` does and, in the same
transaction, removes the guard that kept the old tables read-only. If the copy cannot be
verified, nothing changes here and the freeze this run took there is lifted. The app's
database stays frozen: switch routing back to the monolith, then retire it."""

from kernel import extraction, write_guard
from kernel.management import moving


class Command(moving.MoveCommand):
    help = "Copy an extracted app's data back from its own database into this one, verified."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--source", required=True, help="The app's database: postgres://...")

    def handle(self, *args, app, source, **options):
        where = moving.describe(source)
        with (
            extraction.connect(source, autocommit=True) as service,
            extraction.connect(moving.monolith_url(), autocommit=True) as monolith,
        ):
            tables = write_guard.guarded_tables(monolith, app)
            if not tables:
                raise extraction.Refused(
                    f"{app}'s tables here carry no guard: it was not extracted from this database."
                )
            result = self.move(service, monolith, app=app, tables=tables, where=where, replace=True)
        self.report |= {"status": "merged", "source": where}
        self.say(
            f"Merged back and verified in {result.seconds:.2f} s; {app}'s tables here are "
            f"writable again. Next: restart the monolith without {app} in REMOTE_APPS and "
            f"route its paths back to it; then stop its service ({where} stays frozen)."
        )
        self.done()
