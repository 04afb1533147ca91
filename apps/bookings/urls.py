from django.urls import path

from . import views

urlpatterns = [
    path("", views.BookingListCreateView.as_view(), name="booking-list"),
    path("<str:reference>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("<str:reference>/pay", views.BookingPayView.as_view(), name="booking-pay"),
    path("<str:reference>/cancel", views.BookingCancelView.as_view(), name="booking-cancel"),
]

internal_urlpatterns: list = []
