"""Reads from the notification log."""

from django.db.models import QuerySet

from .models import Notification


def notification_list() -> QuerySet[Notification]:
    return Notification.objects.order_by("-created_at", "-id")
