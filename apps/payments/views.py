from rest_framework import status, viewsets
from rest_framework.response import Response

from kernel.internal import InternalView
from kernel.permissions import StaffModelPermissions

from . import selectors, services
from .filters import PaymentFilter, RefundFilter
from .serializers import (
    ChargeRequestSerializer,
    ChargeSerializer,
    PaymentDetailSerializer,
    RefundDetailSerializer,
    RefundRequestSerializer,
    RefundSerializer,
)


class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    """Payments, for staff. Money moves only through the services, never through here."""

    permission_classes = [StaffModelPermissions]
    serializer_class = PaymentDetailSerializer
    filterset_class = PaymentFilter

    def get_queryset(self):
        return selectors.payment_list()


class RefundViewSet(viewsets.ReadOnlyModelViewSet):
    """Refunds, for staff."""

    permission_classes = [StaffModelPermissions]
    serializer_class = RefundDetailSerializer
    filterset_class = RefundFilter

    def get_queryset(self):
        return selectors.refund_list()


class ChargeCreateView(InternalView):
    def post(self, request):
        data = ChargeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.payment_charge(**data.validated_data)
        return Response(ChargeSerializer(payment).data, status=status.HTTP_201_CREATED)


class ChargeSettleView(InternalView):
    def post(self, request):
        data = ChargeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = services.payment_settle(**data.validated_data)
        return Response(ChargeSerializer(payment).data)


class ChargeDetailView(InternalView):
    def get(self, request, key):
        key = ChargeRequestSerializer().fields["key"].run_validation(key)  # 400 if malformed
        return Response(ChargeSerializer(selectors.payment_get(key=key)).data)


class RefundCreateView(InternalView):
    def post(self, request):
        data = RefundRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refund = services.payment_refund(**data.validated_data)
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)
