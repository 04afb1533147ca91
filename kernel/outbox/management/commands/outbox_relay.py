"""Runs the outbox relay as its own process: ``python manage.py outbox_relay``."""

from django.conf import settings
from django.core.management.base import BaseCommand

from kernel import tracing
from kernel.metrics import serve_on_metrics_port
from kernel.outbox.publisher import publisher
from kernel.outbox.relay import Relay
from kernel.outbox.services import outbox_publish_pending


class Command(BaseCommand):
    help = "Publish committed outbox events to the broker, right after commit, until stopped."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sweep-seconds",
            type=float,
            default=settings.OUTBOX_SWEEP_SECONDS,
            help="How often to publish whatever is left even without a NOTIFY.",
        )
        parser.add_argument(
            "--once", action="store_true", help="Publish what is waiting now, then exit."
        )

    def handle(self, *args, sweep_seconds, once, **options):
        tracing.start("relay")
        if once:
            with publisher() as current:
                count = outbox_publish_pending(publisher=current)
            self.stdout.write(f"Published {count} event(s).")
            return
        serve_on_metrics_port()
        Relay(sweep_seconds=sweep_seconds).run()
