from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from kernel.idempotency import MAX_KEY_LENGTH, idempotent
from kernel.openapi import problem
from kernel.permissions import StaffModelPermissions, staff_may
from kernel.throttling import WriteThrottle

from . import selectors, services
from .filters import BookingFilter
from .models import Booking, IdempotencyRecord
from .serializers import (
    BookingCreateSerializer,
    BookingSerializer,
    NewBookingSerializer,
    PaySerializer,
)

BOOKING_TOKEN = OpenApiParameter(
    "X-Booking-Token",
    location=OpenApiParameter.HEADER,
    required=False,
    description="The booking's access_token (or pass it as ?token=); staff need none.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    type={"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        f"A unique key per booking attempt (1 to {MAX_KEY_LENGTH} characters): a retry with "
        "the same key and body replays the first answer and books once."
    ),
)
IDEMPOTENT_REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    type={"type": "string", "enum": ["true"]},
    location=OpenApiParameter.HEADER,
    response=True,
    description="Present when this is the first answer to this Idempotency-Key, replayed.",
)
BOOKING_NOT_FOUND = problem(
    "`booking-not-found`: no such booking, or the token is missing or wrong."
)

DEFAULT_THROTTLES = api_settings.DEFAULT_THROTTLE_CLASSES


class HoldsPerClient(WriteThrottle):
    scope = "holds"


class HoldsPerCustomer(WriteThrottle):
    scope = "holds-per-customer"

    def ident_of(self, request, view) -> str | None:
        customer = request.data.get("customer") if isinstance(request.data, dict) else None
        email = customer.get("email") if isinstance(customer, dict) else None
        return email.strip().lower() if isinstance(email, str) else None


class PaymentAttemptsPerBooking(WriteThrottle):
    """Pay attempts on one booking, counted per caller (its guest token, or the staff
    user): a stranger who knows only the reference cannot use up the guest's attempts."""

    scope = "payments-per-booking"

    def ident_of(self, request, view) -> str | None:
        caller = booking_token(request) or request.user.pk
        return f"{view.kwargs['reference']} {caller}" if caller else None


class BookingListCreateView(generics.ListAPIView):
    """Staff list bookings; anyone may make one (with an Idempotency-Key)."""

    serializer_class = BookingSerializer
    filterset_class = BookingFilter
    queryset = Booking.objects.order_by("-created_at")
    throttle_classes = [*DEFAULT_THROTTLES, HoldsPerClient, HoldsPerCustomer]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [StaffModelPermissions()]

    @extend_schema(
        request=BookingCreateSerializer,
        responses={
            201: NewBookingSerializer,
            400: problem(
                "`idempotency-key-required` (no Idempotency-Key, or a longer one) or "
                "`validation-error` (with `errors` for each field)."
            ),
            404: problem("`departure-not-found`."),
            409: problem(
                "`seats-unavailable`, `departure-not-bookable`, or `request-in-progress` "
                "(the first request with this Idempotency-Key is still running)."
            ),
            422: problem("`idempotency-key-reused`: this key came with another body."),
        },
        parameters=[IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED],
    )
    @idempotent(IdempotencyRecord, body=BookingCreateSerializer)
    def post(self, request, *, data: dict, record: IdempotencyRecord):
        booking = services.booking_create(
            departure_id=data["departure_id"],
            seats=data["seats"],
            customer_name=data["customer"]["name"],
            customer_email=data["customer"]["email"],
            booking_id=record.booking_id,
        )
        return Response(NewBookingSerializer(booking).data, status=status.HTTP_201_CREATED)


def booking_token(request) -> str | None:
    return request.headers.get("X-Booking-Token") or request.query_params.get("token")


class GuestTokenOrStaffPermission(BasePermission):
    """A staff account without a guest token needs the model permission (403, as in the
    admin); anyone else is let through to the token check."""

    def has_permission(self, request, view) -> bool:
        if booking_token(request) or not request.user.is_staff:
            return True
        return staff_may(request.user, Booking, view.staff_action)


class BookingAccessMixin:
    """The guest with the booking's token, or staff with the booking permission for
    ``staff_action`` (view to read; change to pay or cancel)."""

    permission_classes = [GuestTokenOrStaffPermission]
    staff_action = "view"

    def get_booking(self, request, reference: str) -> Booking:
        return selectors.booking_for_caller(
            reference=reference,
            staff=staff_may(request.user, Booking, self.staff_action),
            token=booking_token(request),
        )


class BookingDetailView(BookingAccessMixin, APIView):
    @extend_schema(
        responses={200: BookingSerializer, 404: BOOKING_NOT_FOUND}, parameters=[BOOKING_TOKEN]
    )
    def get(self, request, reference):
        return Response(BookingSerializer(self.get_booking(request, reference)).data)


class BookingPayView(BookingAccessMixin, APIView):
    staff_action = "change"
    throttle_classes = [*DEFAULT_THROTTLES, PaymentAttemptsPerBooking]

    @extend_schema(
        request=PaySerializer,
        responses={
            200: BookingSerializer,
            402: problem(
                "`payment-declined`, with `decline_code`: the booking stays payable until "
                "its hold expires."
            ),
            404: BOOKING_NOT_FOUND,
            409: problem("`booking-not-payable` or `payment-in-progress`."),
            422: problem("`payment-key-reused`."),
            503: problem(
                "`service-unavailable` or `payment-gateway-unavailable`: nothing was "
                "charged twice; retry after `Retry-After` seconds."
            ),
        },
        parameters=[BOOKING_TOKEN],
    )
    def post(self, request, reference):
        booking = self.get_booking(request, reference)
        data = PaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booking = services.booking_pay(booking=booking, **data.validated_data)
        return Response(BookingSerializer(booking).data)


class BookingCancelView(BookingAccessMixin, APIView):
    staff_action = "change"

    @extend_schema(
        request=None,
        responses={
            200: BookingSerializer,
            404: BOOKING_NOT_FOUND,
            409: problem("`booking-not-cancellable`."),
        },
        parameters=[BOOKING_TOKEN],
    )
    def post(self, request, reference):
        booking = services.booking_cancel(booking=self.get_booking(request, reference))
        return Response(BookingSerializer(booking).data)
