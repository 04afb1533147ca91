"""Query-string filters that refuse what they cannot read.

django-filter skips a filter whose value is empty and reads an unknown boolean as "no
filter", so ``?departs_after=`` or ``?available=maybe`` would quietly list everything. Here
every typed filter (dates, numbers, booleans, choices, ordering) given an empty or unreadable
value is a 400 problem naming the parameter; text filters (search, slugs) may be empty.
Date-times are compared in UTC, so any offset ISO 8601 allows (up to 24 hours) works, not
only the ones PostgreSQL accepts.
"""

import datetime

import django_filters
from django_filters.rest_framework import DjangoFilterBackend

BOOLEANS = {"true", "false", "1", "0"}


class FilterSet(django_filters.FilterSet):
    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, message in self.unreadable_values():
            self.form.add_error(name, message)
        return valid and not self.form.errors

    def filter_queryset(self, queryset):
        for name, value in self.form.cleaned_data.items():
            if isinstance(value, datetime.datetime) and value.tzinfo is not None:
                self.form.cleaned_data[name] = value.astimezone(datetime.UTC)
        return super().filter_queryset(queryset)

    def unreadable_values(self):
        for name, filter_ in self.filters.items():
            value = self.data.get(name)
            if value is None or isinstance(filter_, django_filters.CharFilter):
                continue
            if value == "":
                yield name, "Give a value or leave this parameter out."
            elif (
                isinstance(filter_, django_filters.BooleanFilter) and value.lower() not in BOOLEANS
            ):
                yield name, "Give true or false."


class FilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend whose FilterSets, declared or made from ``filterset_fields``,
    are the strict one above."""

    filterset_base = FilterSet
