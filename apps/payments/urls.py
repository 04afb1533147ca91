from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("refunds", views.RefundViewSet, basename="refund")

urlpatterns = router.urls

internal_urlpatterns = [
    path("charges/", views.ChargeCreateView.as_view(), name="charge-create"),
    path("charges/settle", views.ChargeSettleView.as_view(), name="charge-settle"),
    path("charges/<str:key>", views.ChargeDetailView.as_view(), name="charge-detail"),
    path("refunds/", views.RefundCreateView.as_view(), name="refund-create"),
]
