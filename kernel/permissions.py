import hmac

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission

SERVICE_TOKEN_HEADER = "X-Service-Token"  # noqa: S105 - a header name, not a secret


class IsStaffOrReadOnly(BasePermission):
    """Anyone may read; only staff may write."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_staff)


class HasServiceToken(BasePermission):
    """For /internal/ endpoints: the caller must present the shared SERVICE_TOKEN."""

    message = f"A valid {SERVICE_TOKEN_HEADER} header is required."

    def has_permission(self, request, view) -> bool:
        expected = settings.SERVICE_TOKEN
        presented = request.headers.get(SERVICE_TOKEN_HEADER, "")
        return bool(expected) and hmac.compare_digest(presented.encode(), expected.encode())
