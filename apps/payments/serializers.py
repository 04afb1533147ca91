from decimal import Decimal

from rest_framework import serializers

from .models import Payment, Refund

AMOUNT = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0.01")}


class ChargeRequestSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=100)
    amount = serializers.DecimalField(**AMOUNT)
    currency = serializers.RegexField(r"^[A-Z]{3}$", help_text="ISO 4217, e.g. EUR")
    payment_method = serializers.CharField(max_length=100)
    booking_reference = serializers.CharField(max_length=32)


class ChargeSerializer(serializers.ModelSerializer):
    """A payment as other apps see it."""

    class Meta:
        model = Payment
        fields = ["id", "key", "status", "amount", "currency", "booking_reference", "decline_code"]
        read_only_fields = fields


class RefundRequestSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=100)
    payment_key = serializers.CharField(max_length=100)
    amount = serializers.DecimalField(**AMOUNT, required=False, help_text="All of it if omitted")


class RefundSerializer(serializers.ModelSerializer):
    """A refund as other apps see it."""

    payment_key = serializers.CharField(source="payment.key")

    class Meta:
        model = Refund
        fields = ["id", "key", "payment_key", "amount", "status"]
        read_only_fields = fields


class PaymentDetailSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "key",
            "booking_reference",
            "amount",
            "currency",
            "payment_method",
            "status",
            "decline_code",
            "gateway",
            "gateway_charge_id",
            "attempts",
            "last_error",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RefundDetailSerializer(RefundSerializer):
    booking_reference = serializers.CharField(source="payment.booking_reference")

    class Meta(RefundSerializer.Meta):
        fields = [
            "id",
            "key",
            "payment",
            "payment_key",
            "booking_reference",
            "amount",
            "status",
            "gateway_refund_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
