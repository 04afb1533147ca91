from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("tours", views.TourViewSet, basename="tour")
router.register("departures", views.DepartureViewSet, basename="departure")
router.register("destinations", views.DestinationViewSet, basename="destination")
router.register("categories", views.CategoryViewSet, basename="category")

urlpatterns = router.urls

internal_urlpatterns = [
    path("holds/", views.HoldCreateView.as_view(), name="hold-create"),
    path("holds/<str:key>/confirm", views.HoldConfirmView.as_view(), name="hold-confirm"),
    path("holds/<str:key>/release", views.HoldReleaseView.as_view(), name="hold-release"),
]
