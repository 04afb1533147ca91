from django.db.models import QuerySet
from django.utils.cache import patch_cache_control, patch_vary_headers
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from kernel.internal import InternalView
from kernel.openapi import problem
from kernel.pagination import WindowCountPagination
from kernel.permissions import staff_may

from . import selectors, services
from .filters import TourFilter
from .models import Category, Departure, Destination, Tour
from .serializers import (
    CategorySerializer,
    DepartureDetailSerializer,
    DestinationSerializer,
    HoldRequestSerializer,
    HoldSerializer,
    TourDetailSerializer,
    TourListSerializer,
    TourWriteSerializer,
    tour_list_item,
)

# What a SlugField holds: any other path segment is a 404 before the database is asked.
SLUG_PATTERN = "[-a-zA-Z0-9_]+"
# How long a browser or the gateway may reuse a public tours page (docs/api.md, Freshness).
PUBLIC_MAX_AGE = 5
IN_USE = extend_schema(responses={204: None, 409: problem("Seats of it are held or booked.")})


@extend_schema_view(destroy=IN_USE)
class TourViewSet(viewsets.ModelViewSet):
    """Published tours for everyone. Staff with the model permissions (as in the admin)
    also see unpublished ones and create, change and delete tours; every write goes
    through the catalog's services."""

    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    filterset_class = TourFilter
    pagination_class = WindowCountPagination  # the list pages .values() rows

    def get_queryset(self) -> QuerySet[Tour]:
        published_only = not staff_may(self.request.user, Tour, "view")
        if self.action == "list":
            return selectors.tour_list(published_only=published_only).order_by("title", "pk")
        if self.action == "retrieve":
            return selectors.tour_detail(published_only=published_only)
        return Tour.objects.all()

    def list(self, request, *args, **kwargs):
        """The list reads plain rows, not model instances (docs/performance.md)."""
        page = self.paginate_queryset(
            selectors.tour_list_rows(self.filter_queryset(self.get_queryset()))
        )
        return self.get_paginated_response([tour_list_item(row) for row in page])

    def finalize_response(self, request, response, *args, **kwargs):
        """Tours pages are public for a few seconds (the gateway's micro-cache and browsers
        reuse them; ConditionalGetMiddleware adds the ETag and answers 304); what a signed-in
        account sees (staff see unpublished tours) is private to it."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.action in ("list", "retrieve") and response.status_code == 200:
            if request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            patch_vary_headers(response, ["Authorization", "Cookie"])
        return response

    def get_serializer_class(self):
        if self.action == "list":
            return TourListSerializer
        if self.action == "retrieve":
            return TourDetailSerializer
        return TourWriteSerializer

    def perform_create(self, serializer):
        serializer.instance = services.tour_create(fields=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.tour_update(
            tour_id=serializer.instance.pk, changes=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.tour_delete(tour_id=instance.pk)


@extend_schema_view(destroy=IN_USE)
class DepartureViewSet(viewsets.ModelViewSet):
    """Departures of published tours; staff with the model permissions also see those
    of unpublished tours, and schedule, change and delete departures (through the
    catalog's services, which never write the seat counters)."""

    serializer_class = DepartureDetailSerializer
    filterset_fields = {"tour__slug": ["exact"], "starts_on": ["gte", "lte"]}

    def get_queryset(self):
        published_only = not staff_may(self.request.user, Departure, "view")
        return selectors.departure_detail(published_only=published_only).order_by("starts_on", "pk")

    def perform_create(self, serializer):
        serializer.instance = services.departure_create(fields=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.departure_update(
            departure_id=serializer.instance.pk, changes=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.departure_delete(departure_id=instance.pk)


class DestinationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Destination.objects.all()
    serializer_class = DestinationSerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    pagination_class = None


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Category.objects.all()
    serializer_class = CategorySerializer
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    pagination_class = None


class HoldCreateView(InternalView):
    def post(self, request):
        data = HoldRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        hold = services.departure_hold_seats(**data.validated_data)
        return Response(HoldSerializer(hold).data, status=status.HTTP_201_CREATED)


class HoldConfirmView(InternalView):
    def post(self, request, key):
        hold = services.seat_hold_confirm(key=key)
        return Response(HoldSerializer(hold).data)


class HoldReleaseView(InternalView):
    def post(self, request, key):
        hold = services.seat_hold_release(key=key)
        return Response(HoldSerializer(hold).data)
