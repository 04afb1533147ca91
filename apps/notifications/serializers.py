from rest_framework import serializers

from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "event_id",
            "event_type",
            "kind",
            "recipient",
            "subject",
            "booking_reference",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "updated_at",
            "sent_at",
        ]
        read_only_fields = fields


class NotificationDetailSerializer(NotificationSerializer):
    class Meta(NotificationSerializer.Meta):
        fields = [*NotificationSerializer.Meta.fields, "payload"]
        read_only_fields = fields
