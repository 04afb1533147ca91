import pytest
from django.core.management import call_command

from apps.catalog.models import Departure, Destination, Tour

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_a_catalog_and_is_idempotent(capsys):
    call_command("seed_demo")
    counts = (Destination.objects.count(), Tour.objects.count(), Departure.objects.count())
    assert counts[1] >= 30
    assert Destination.objects.values("country").distinct().count() >= 5
    assert "[12/12]" in capsys.readouterr().out  # shows progress
    call_command("seed_demo")
    assert (Destination.objects.count(), Tour.objects.count(), Departure.objects.count()) == counts
