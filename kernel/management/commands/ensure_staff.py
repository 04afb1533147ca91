"""Creates a staff superuser, or reuses it, for local development.

Its login (admin / admin unless told otherwise) must never exist in production: the command
runs only where DJANGO_DEBUG is on, as under `make run`, `make services` and compose's demo
data. Production staff are made with `manage.py createsuperuser`.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create (or reuse) a superuser and print its login (only with DJANGO_DEBUG=1)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password", default="admin")
        parser.add_argument("--email", default="admin@example.com")

    def handle(self, *args, username, password, email, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_staff makes a development login and runs only with DJANGO_DEBUG=1; "
                "create production staff with `manage.py createsuperuser`."
            )
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email, "is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        verb = "Created" if created else "Reusing"
        self.stdout.write(self.style.SUCCESS(f"{verb} staff login: {username} / {password}"))
