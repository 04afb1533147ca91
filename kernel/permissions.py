import hmac

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission

SERVICE_TOKEN_HEADER = "X-Service-Token"  # noqa: S105 - a header name, not a secret

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def staff_may(user, model, action: str) -> bool:
    """What the admin checks: an active staff account with ``<app>.<action>_<model>``.
    As in the admin, the change permission also lets staff view."""
    if not (user and user.is_active and user.is_staff):
        return False
    actions = ("view", "change") if action == "view" else (action,)
    meta = model._meta
    return any(user.has_perm(f"{meta.app_label}.{name}_{meta.model_name}") for name in actions)


class StaffModelPermissions(BasePermission):
    """Staff APIs, guarded like the admin: the view's model permission for the method
    (view to read; add, change, delete to write). Set ``staff_action`` on a view or an
    action whose method does not say what it does (a POST that resends is a change)."""

    def has_permission(self, request, view) -> bool:
        action = getattr(view, "staff_action", None) or METHOD_ACTIONS.get(request.method)
        if getattr(view, "_ignore_model_permissions", False):
            return True  # DRF's API index: no model, nothing to protect (its own 405)
        if action is None or not hasattr(view, "get_queryset"):
            return False
        return staff_may(request.user, view.get_queryset().model, action)


class IsStaffOrReadOnly(StaffModelPermissions):
    """The API default: anyone may read; writes need staff with the model permission."""

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or super().has_permission(request, view)


class HasServiceToken(BasePermission):
    """For /internal/ endpoints: the caller must present the shared SERVICE_TOKEN."""

    message = f"A valid {SERVICE_TOKEN_HEADER} header is required."

    def has_permission(self, request, view) -> bool:
        expected = settings.SERVICE_TOKEN
        presented = request.headers.get(SERVICE_TOKEN_HEADER, "")
        return bool(expected) and hmac.compare_digest(presented.encode(), expected.encode())
