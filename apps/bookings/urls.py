from django.urls import path

from . import views

urlpatterns = [
    path("", views.BookingListCreateView.as_view(), name="booking-list"),
    path("<slug:reference>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("<slug:reference>/pay", views.BookingPayView.as_view(), name="booking-pay"),
    path("<slug:reference>/cancel", views.BookingCancelView.as_view(), name="booking-cancel"),
]

internal_urlpatterns: list = []
