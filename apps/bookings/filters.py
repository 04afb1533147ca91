import django_filters
from django.db.models import Q

from kernel.filters import FilterSet

from .models import Booking


class BookingFilter(FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Reference or email")
    starts_after = django_filters.DateFilter(field_name="starts_on", lookup_expr="gte")
    starts_before = django_filters.DateFilter(field_name="starts_on", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created"), ("starts_on", "starts_on"))
    )

    class Meta:
        model = Booking
        fields = ["status", "departure_id"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(reference__iexact=value) | Q(customer_email__iexact=value))
