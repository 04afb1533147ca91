import django_filters

from kernel.filters import FilterSet

from .models import Payment, Refund


class PaymentFilter(FilterSet):
    class Meta:
        model = Payment
        fields = ["status", "booking_reference"]


class RefundFilter(FilterSet):
    booking_reference = django_filters.CharFilter(field_name="payment__booking_reference")

    class Meta:
        model = Refund
        fields = ["status", "booking_reference"]
