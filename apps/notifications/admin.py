from django.contrib import admin, messages

from kernel.admin import ReadOnlyModelAdmin

from . import services
from .exceptions import NotificationNotSent
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyModelAdmin):
    """The notification log. Rows are written by the workers; staff read them and may
    resend an email."""

    list_display = [
        "booking_reference",
        "kind",
        "recipient",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["booking_reference", "recipient", "event_id"]
    date_hierarchy = "created_at"
    actions = ["resend"]

    def has_resend_permission(self, request):
        """Resending sends mail: it takes the change permission, as in the API."""
        return request.user.has_perm("notifications.change_notification")

    @admin.action(description="Resend the selected emails", permissions=["resend"])
    def resend(self, request, queryset):
        sent = 0
        for notification_id in queryset.values_list("pk", flat=True):
            try:
                services.notification_resend(notification_id=notification_id)
                sent += 1
            except NotificationNotSent as exc:
                self.message_user(request, exc.detail, messages.ERROR)
        if sent:
            self.message_user(request, f"{sent} email(s) resent.", messages.SUCCESS)
