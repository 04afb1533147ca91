from django.core.paginator import Paginator
from django.db.models import Count, Window
from rest_framework import pagination
from rest_framework.exceptions import ValidationError

MAX_DIGITS = 18  # beyond this a page number is not a page number (and int() would balk)


class PageNumberPagination(pagination.PageNumberPagination):
    """``{count, next, previous, results}`` pages of 20; ``?page_size=`` from 1 to 100.

    ``page`` and ``page_size`` must be whole numbers in range: anything else is a 400
    problem, never silently the first page. A page past the last one is a 404.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request) -> int:
        return query_number(
            request, self.page_size_query_param, default=self.page_size, maximum=self.max_page_size
        )

    def get_page_number(self, request, paginator) -> int:
        return query_number(request, self.page_query_param, default=1)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


class WindowCountPaginator(Paginator):
    """Reads a page of ``.values()`` rows and the total in one query: ``COUNT(*) OVER ()``
    beside each row instead of a ``COUNT`` query first. The filters are compiled and planned
    once, not twice. A page past the last one has no row to carry the total, and is then
    refused as Django's paginator refuses it (``EmptyPage``)."""

    TOTAL = "window_total_count"

    def page(self, number):
        bottom = (number - 1) * self.per_page
        rows = self.object_list.annotate(**{self.TOTAL: Window(Count("*"))})
        rows = list(rows[bottom : bottom + self.per_page])
        self.count = rows[0][self.TOTAL] if rows else 0
        for row in rows:
            del row[self.TOTAL]
        return self._get_page(rows, self.validate_number(number), self)


class WindowCountPagination(PageNumberPagination):
    """The pages above, read in one query (for views that list ``.values()`` rows)."""

    django_paginator_class = WindowCountPaginator


def query_number(request, name: str, *, default: int, maximum: int | None = None) -> int:
    """A whole number from 1 (to ``maximum``) in the query string, or a 400 problem."""
    value = request.query_params.get(name)
    if value is None:
        return default
    whole = value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS
    number = int(value) if whole else 0
    if not 1 <= number <= (maximum or number):
        bounds = f"from 1 to {maximum}" if maximum else "from 1 up"
        raise ValidationError({name: [f"Give a whole number {bounds}."]})
    return number
