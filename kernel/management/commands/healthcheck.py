"""Health of a process that serves no HTTP (worker, beat, outbox relay): the checks of
/readyz (kernel.health), for container healthchecks and Kubernetes exec probes.

Exits 0 when every database of this process answers and, when ``CELERY_BROKER_URL`` is
set, the broker does; otherwise non-zero with a one-line reason. It answers within
``kernel.health.READY_TIMEOUT_SECONDS`` (plus start-up), whatever the dependencies do.
"""

from django.core.management.base import BaseCommand, CommandError

from kernel.health import dependency_checks


class Command(BaseCommand):
    help = "Check that this process's databases and broker answer (exit status 0 or 1)."

    def handle(self, *args, **options):
        checks = dependency_checks()
        failing = {name: result for name, result in checks.items() if result != "ok"}
        if failing:
            reasons = ", ".join(f"{name} {result}" for name, result in failing.items())
            raise CommandError(f"not ready: {reasons}")
        self.stdout.write(f"ok: {', '.join(checks)}")
