"""The tours list is built from plain rows for speed; it shows exactly what the
documented TourListSerializer shows."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from apps.catalog import selectors
from apps.catalog.serializers import TourListSerializer, tour_list_item
from tests.factories import DepartureFactory, TourFactory

pytestmark = pytest.mark.django_db


def test_list_rows_render_like_the_serializer():
    DepartureFactory(
        tour__price_from=Decimal("1234.50"),
        starts_on=timezone.localdate() + datetime.timedelta(days=9),
    )
    TourFactory(price_from=Decimal("0"), image_url="")  # no upcoming departure
    tours = selectors.tour_list().order_by("pk")
    from_rows = [tour_list_item(row) for row in selectors.tour_list_rows(tours)]
    from_serializer = TourListSerializer(tours, many=True).data
    assert JSONRenderer().render(from_rows) == JSONRenderer().render(from_serializer)
