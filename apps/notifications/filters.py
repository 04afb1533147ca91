import django_filters

from kernel.filters import FilterSet

from .models import Notification


class NotificationFilter(FilterSet):
    recipient = django_filters.CharFilter(lookup_expr="iexact")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = Notification
        fields = ["status", "kind", "event_type", "event_id", "booking_reference", "recipient"]
