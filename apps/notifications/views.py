from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel.permissions import StaffModelPermissions

from . import selectors, services
from .filters import NotificationFilter
from .serializers import NotificationDetailSerializer, NotificationSerializer


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The notification log, for staff: what was sent to whom, what failed and why."""

    permission_classes = [StaffModelPermissions]
    staff_action = None  # from the method, except where an action says otherwise
    filterset_class = NotificationFilter

    def get_queryset(self):
        return selectors.notification_list()

    def get_serializer_class(self):
        if self.action == "list":
            return NotificationSerializer
        return NotificationDetailSerializer

    @action(detail=True, methods=["post"], staff_action="change")
    def resend(self, request, pk=None):
        """Send this notification's email again now (needs the change permission)."""
        self.get_object()  # 404 for an unknown id
        notification = services.notification_resend(notification_id=int(pk))
        return Response(NotificationDetailSerializer(notification).data)
