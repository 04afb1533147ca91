from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "kernel.outbox"
    label = "outbox"
    verbose_name = "Event outbox"

    def ready(self):
        from .metrics import add_readings

        add_readings()
