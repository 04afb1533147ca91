"""Migrates this process's databases: the shared identity database (when it is separate),
then the profile's own database.

Every service's migrate job may run this at the same time: the identity step holds a
PostgreSQL advisory lock, so identity is migrated once and the others find nothing left
to do but register their own content types and permissions there (staff permissions).
Only the identity apps are migrated there: `migrate` would also record every other
installed app's migrations as applied (the router lets none of them run), and in a hybrid
that database is the monolith's own, whose migrate job would then skip them (its outbox
table missing).
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections
from django.db.migrations.loader import MigrationLoader

from kernel.routers import IDENTITY_APP_LABELS, IDENTITY_DB

IDENTITY_LOCK_ID = 7_420_001  # any fixed number shared by every service


class Command(BaseCommand):
    help = "Migrate the identity database (once, under a lock) and this service's database."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        if "identity" in connections:
            identity = connections["identity"]
            locked = identity.vendor == "postgresql"
            self.stdout.write("Migrating the shared identity database ...")
            if locked:
                with identity.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_lock(%s)", [IDENTITY_LOCK_ID])
            try:
                identity_apps = MigrationLoader(None).migrated_apps & IDENTITY_APP_LABELS
                for label in sorted(identity_apps):
                    call_command(
                        "migrate",
                        label,
                        database=IDENTITY_DB,
                        interactive=False,
                        verbosity=verbosity,
                    )
                for app_config in apps.get_app_configs():
                    create_contenttypes(app_config, verbosity=verbosity, using=IDENTITY_DB)
                    create_permissions(app_config, verbosity=verbosity, using=IDENTITY_DB)
            finally:
                if locked:
                    with identity.cursor() as cursor:
                        cursor.execute("SELECT pg_advisory_unlock(%s)", [IDENTITY_LOCK_ID])
        self.stdout.write("Migrating this service's database ...")
        call_command("migrate", database="default", interactive=False, verbosity=verbosity)
