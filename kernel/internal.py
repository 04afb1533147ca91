"""Base view for ``/internal/`` endpoints: service-to-service calls only."""

from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from kernel.permissions import HasServiceToken


@extend_schema(exclude=True)
class InternalView(APIView):
    """Requires the shared service token; no session, no CSRF, not in the public schema,
    no rate limits (the public edge already counted the customer's request)."""

    authentication_classes: list = []
    throttle_classes: list = []
    permission_classes = [HasServiceToken]
