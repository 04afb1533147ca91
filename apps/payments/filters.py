import django_filters

from .models import Payment, Refund


class PaymentFilter(django_filters.FilterSet):
    class Meta:
        model = Payment
        fields = ["status", "booking_reference"]


class RefundFilter(django_filters.FilterSet):
    booking_reference = django_filters.CharFilter(field_name="payment__booking_reference")

    class Meta:
        model = Refund
        fields = ["status", "booking_reference"]
