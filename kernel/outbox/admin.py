from django.contrib import admin

from kernel.admin import ReadOnlyModelAdmin

from .models import OutboxEvent


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyModelAdmin):
    """What left (or waits to leave) this service; events are written only by code."""

    list_display = ["id", "type", "version", "created_at", "published_at", "attempts", "last_error"]
    list_filter = ["type", ("published_at", admin.EmptyFieldListFilter)]
    search_fields = ["id", "type"]
    date_hierarchy = "created_at"
