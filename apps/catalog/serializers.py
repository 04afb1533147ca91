from rest_framework import serializers

from .models import Category, Departure, Destination, SeatHold, Tour


class DestinationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Destination
        fields = ["slug", "name", "country"]


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["slug", "name"]


class TourListSerializer(serializers.ModelSerializer):
    destination = DestinationSerializer(read_only=True)
    category = CategorySerializer(read_only=True)
    next_departure = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = Tour
        fields = [
            "slug",
            "title",
            "summary",
            "destination",
            "category",
            "duration_days",
            "price_from",
            "currency",
            "image_url",
            "next_departure",
        ]


def tour_list_item(row: dict) -> dict:
    """A ``selectors.tour_list_rows()`` row as the tours list shows it: exactly what
    TourListSerializer gives (which documents the shape in the API schema), at a fraction
    of the cost. tests/catalog/test_tour_list_rows.py holds the two together."""
    next_departure = row["next_departure"]
    return {
        "slug": row["slug"],
        "title": row["title"],
        "summary": row["summary"],
        "destination": {
            "slug": row["destination__slug"],
            "name": row["destination__name"],
            "country": row["destination__country"],
        },
        "category": {"slug": row["category__slug"], "name": row["category__name"]},
        "duration_days": row["duration_days"],
        "price_from": format(row["price_from"], "f"),
        "currency": row["currency"],
        "image_url": row["image_url"],
        "next_departure": next_departure.isoformat() if next_departure else None,
    }


class DepartureSerializer(serializers.ModelSerializer):
    seats_available = serializers.IntegerField(read_only=True)

    class Meta:
        model = Departure
        fields = ["id", "starts_on", "price", "capacity", "seats_available"]


class TourDetailSerializer(TourListSerializer):
    departures = DepartureSerializer(many=True, read_only=True, source="upcoming_departures")

    class Meta(TourListSerializer.Meta):
        fields = [*TourListSerializer.Meta.fields, "description", "is_published", "departures"]


class TourWriteSerializer(serializers.ModelSerializer):
    """What staff send to create or change a tour."""

    destination = serializers.SlugRelatedField(
        slug_field="slug", queryset=Destination.objects.all()
    )
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())

    class Meta:
        model = Tour
        fields = [
            "slug",
            "title",
            "summary",
            "description",
            "destination",
            "category",
            "duration_days",
            "price_from",
            "currency",
            "image_url",
            "is_published",
        ]


class DepartureDetailSerializer(DepartureSerializer):
    tour = serializers.SlugRelatedField(slug_field="slug", queryset=Tour.objects.all())

    class Meta(DepartureSerializer.Meta):
        fields = ["id", "tour", "starts_on", "price", "capacity", "seats_available"]


class HoldRequestSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=100)
    departure_id = serializers.IntegerField(min_value=1)
    seats = serializers.IntegerField(min_value=1, max_value=50)


class HoldSerializer(serializers.ModelSerializer):
    """A hold as the bookings app needs it: the seats plus a snapshot of what was held."""

    departure_id = serializers.IntegerField()
    unit_price = serializers.DecimalField(source="departure.price", max_digits=10, decimal_places=2)
    currency = serializers.CharField(source="departure.tour.currency")
    tour_title = serializers.CharField(source="departure.tour.title")
    tour_slug = serializers.CharField(source="departure.tour.slug")
    starts_on = serializers.DateField(source="departure.starts_on")

    class Meta:
        model = SeatHold
        fields = [
            "key",
            "departure_id",
            "seats",
            "status",
            "unit_price",
            "currency",
            "tour_title",
            "tour_slug",
            "starts_on",
        ]
        read_only_fields = fields
