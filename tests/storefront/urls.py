"""The product's URLs with the storefront's route, as under make run."""

from config.urls import handler400, handler403, handler404, handler500, urlpatterns
from kernel import storefront

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]

urlpatterns = [*urlpatterns, storefront.ROUTE]
