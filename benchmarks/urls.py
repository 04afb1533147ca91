"""The product's URLs plus the baselines under /bench/ (benchmark processes only)."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns

from . import baselines

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

# First: the product's last pattern takes every other path for the storefront.
urlpatterns = [
    path("bench/constant", baselines.constant),
    path("bench/tours-values", baselines.tours_values),
    *urlpatterns,
]
