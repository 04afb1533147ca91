"""Published outbox events are pruned after the retention; unpublished ones never are."""

import datetime

import pytest
from django.utils import timezone

from kernel.outbox.models import OutboxEvent
from kernel.outbox.tasks import prune

pytestmark = pytest.mark.django_db


def event(*, published_days_ago: float | None) -> OutboxEvent:
    published_at = (
        None
        if published_days_ago is None
        else timezone.now() - datetime.timedelta(days=published_days_ago)
    )
    return OutboxEvent.objects.create(
        type="booking.confirmed", payload={}, published_at=published_at
    )


def test_events_published_before_the_retention_are_pruned(settings):
    settings.OUTBOX_RETENTION_DAYS = 7
    old = event(published_days_ago=8)
    recent = event(published_days_ago=1)
    waiting = event(published_days_ago=None)
    OutboxEvent.objects.filter(pk=waiting.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=30)
    )
    assert prune() == 1
    assert set(OutboxEvent.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not OutboxEvent.objects.filter(pk=old.pk).exists()
