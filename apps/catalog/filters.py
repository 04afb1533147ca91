import django_filters

from kernel.filters import FilterSet

from . import selectors
from .models import Tour


class TourFilter(FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Text search")
    destination = django_filters.CharFilter(field_name="destination__slug")
    category = django_filters.CharFilter(field_name="category__slug")
    price_min = django_filters.NumberFilter(field_name="price_from", lookup_expr="gte", min_value=0)
    price_max = django_filters.NumberFilter(field_name="price_from", lookup_expr="lte", min_value=0)
    departs_after = django_filters.DateFilter(
        method="filter_departures", label="Departs on or after"
    )
    departs_before = django_filters.DateFilter(
        method="filter_departures", label="Departs on or before"
    )
    available = django_filters.BooleanFilter(
        method="filter_departures", label="Only tours with seats left on an upcoming departure"
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("price_from", "price"),
            ("duration_days", "duration"),
            ("title", "title"),
            ("next_departure", "next_departure"),
        )
    )

    class Meta:
        model = Tour
        fields = ["destination", "category"]

    def get_form_class(self):
        """django-filter builds a new form class for every request; these fields never
        change, so build it once (each form still copies its fields per instance)."""
        cls = type(self)
        if "form_class" not in cls.__dict__:
            cls.form_class = super().get_form_class()
        return cls.form_class

    def filter_search(self, queryset, name, value):
        """Ranked by relevance unless ``ordering`` says otherwise (it applies after, so the
        ranking is then left out)."""
        ranked = not self.form.cleaned_data.get("ordering")
        return selectors.tours_matching(queryset, text=value, ranked=ranked)

    def filter_departures(self, queryset, name, value):
        return queryset  # the departure filters apply together, in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        after, before = data.get("departs_after"), data.get("departs_before")
        only_available = bool(data.get("available"))
        if after or before or only_available:
            # One departure must match the window and have seats, not one each.
            queryset = selectors.tours_departing(
                queryset, after=after, before=before, only_available=only_available
            )
        return queryset
