from django.core.validators import RegexValidator
from rest_framework import serializers

from .models import Booking

MAX_BIGINT = 2**63 - 1  # the largest id PostgreSQL's bigint holds
# The name is the one thing a guest writes that emails repeat: one line, no control characters.
ONE_LINE = RegexValidator(r"^[^\x00-\x1f\x7f]*$", "Give the name on one line.")


def _max_length(field: str) -> int:
    return Booking._meta.get_field(field).max_length


class CustomerSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=_max_length("customer_name"), validators=[ONE_LINE])
    email = serializers.EmailField(max_length=_max_length("customer_email"))


class BookingCreateSerializer(serializers.Serializer):
    departure_id = serializers.IntegerField(min_value=1, max_value=MAX_BIGINT)
    seats = serializers.IntegerField(min_value=1, max_value=20)
    customer = CustomerSerializer()


class PaySerializer(serializers.Serializer):
    payment_method = serializers.CharField(max_length=100)


class BookingSerializer(serializers.ModelSerializer):
    customer = serializers.SerializerMethodField()
    departure = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "reference",
            "status",
            "seats",
            "unit_price",
            "total",
            "currency",
            "customer",
            "departure",
            "hold_expires_at",
            "created_at",
            "confirmed_at",
            "cancelled_at",
            "expired_at",
        ]
        read_only_fields = fields

    def get_customer(self, booking) -> dict:
        return {"name": booking.customer_name, "email": booking.customer_email}

    def get_departure(self, booking) -> dict:
        return {
            "id": booking.departure_id,
            "starts_on": booking.starts_on.isoformat(),
            "tour_title": booking.tour_title,
            "tour_slug": booking.tour_slug,
        }


class NewBookingSerializer(BookingSerializer):
    """The answer to the guest who made the booking: the only time it shows the token."""

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "access_token"]
        read_only_fields = fields
