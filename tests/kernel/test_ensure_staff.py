"""The development login: made where debug is on, never where it is off."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_with_debug_on_it_makes_a_staff_login_once(settings):
    settings.DEBUG = True
    call_command("ensure_staff")
    call_command("ensure_staff")  # reuses it
    (user,) = get_user_model().objects.filter(username="admin")
    assert user.check_password("admin") and user.is_staff and user.is_superuser


def test_with_debug_off_it_makes_nothing(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DJANGO_DEBUG=1"):
        call_command("ensure_staff")
    assert not get_user_model().objects.filter(username="admin").exists()
