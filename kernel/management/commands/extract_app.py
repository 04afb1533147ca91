"""Moves one app's data out of the monolith's database into the app's own database.

Run with the monolith's settings. It creates the target database if missing and migrates
it with the app's service profile (its identity database: the monolith's), freezes the
app's tables here (``kernel.write_guard``: their writes answer 503 until the switch), copies
and verifies them (``kernel.extraction``), and prints the steps that switch routing. The
freeze stays on: ``lift_freeze`` turns it into a read-only guard once the app is served
from its new database. If the copy cannot be verified, the target is rolled back and the
freeze this run took is lifted: the monolith stays authoritative, routing unchanged.
Running it again after success changes nothing and verifies again.

``--dry-run`` writes nothing: it reads the app's tables as the move would and reports
rows, bytes and the expected length of the freeze. docs/migrating.md has the playbook.
"""

from kernel import extraction
from kernel.management import moving

# The freeze lasts about this many times as long as reading the tables (COPY out plus the
# checksum, which --dry-run times): writing them, with their indexes and constraints, and
# checksumming the copy cost about as much again each. Measured with the benchmark's
# catalog (benchmarks/dataset.py): docs/migrating.md.
FREEZE_PER_READ = 3


class Command(moving.MoveCommand):
    help = "Copy an app's tables into its own database under a write freeze, and verify them."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--target", help="The app's own database: postgres://...")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would move; write nothing."
        )

    def handle(self, *args, app, target, dry_run, **options):
        tables = moving.installed_tables(app)
        if dry_run:
            self.dry_run(app, tables)
        elif not target:
            raise extraction.Refused("Say where the app's database is: --target postgres://...")
        else:
            self.extract(app, tables, target)
        self.done()

    def dry_run(self, app: str, tables: list[str]) -> None:
        with extraction.connect(moving.monolith_url(), autocommit=True) as conn:
            measured = extraction.measure(conn, tables)
            outbox, types = moving.outbox_table(), moving.event_types(app)
            events, _ = extraction.checksum(conn, outbox, extraction.of_types(types))
        read = sum(table["read_seconds"] for table in measured)
        estimate = round(read * FREEZE_PER_READ, 1)
        self.report |= {
            "status": "dry-run",
            "tables": measured,
            "outbox_events": events,
            "estimated_freeze_seconds": estimate,
        }
        self.say(f"Extracting {app} would move, under a write freeze of about {estimate} s:")
        for table in measured:
            self.say(f"  {table['table']}: {table['rows']} rows, {table['bytes']} bytes")
        self.say(f"  {events} outbox events")

    def extract(self, app: str, tables: list[str], target: str) -> None:
        where = moving.describe(target)
        created = extraction.create_database(target)
        self.say(f"{'Created' if created else 'Found'} {where}; migrating it as {app} ...")
        moving.migrate_service(app, target)
        with (
            extraction.connect(moving.monolith_url(), autocommit=True) as source,
            extraction.connect(target, autocommit=True) as destination,
        ):
            result = self.move(
                source,
                destination,
                app=app,
                tables=tables,
                where="the monolith's database",
                replace=False,
            )
        self.report |= {"status": "extracted", "target": where}
        verb = "Copied and verified" if result.copied else "Already copied; verified"
        self.say(f"{verb} in {result.seconds:.2f} s. {app}'s tables here stay frozen.")
        self.say(
            f"Next: serve {app} from its database (its service's DATABASE_URL: {where}, "
            "IDENTITY_DATABASE_URL: this database), route its paths to it and restart the "
            f"monolith with {app} in REMOTE_APPS; then run `manage.py lift_freeze {app}`. "
            f"To go back instead: `manage.py merge_app_back {app} --source <its database>`."
        )
