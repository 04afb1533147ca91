"""A guest's ?token= never reaches a log: gunicorn's access log (containers, make services)
and runserver's request log (make run) write it as token=***."""

import sys

import httpx
import pytest

from deploy.local.processes import Process, free_port
from tests import servers
from tests.messaging import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SECRET = "guest-secret-0123456789"


def visit_with_token(base_url: str) -> None:
    response = httpx.get(f"{base_url}/api/bookings/BK-UNKNOWN/", params={"token": SECRET})
    assert response.status_code == 404


def test_the_gunicorn_access_log_masks_the_token(django_db_blocker):
    with django_db_blocker.unblock(), servers.serve("monolith") as server:
        visit_with_token(server.url)
        wait_until(lambda: '" 404 ' in server.output.text(), timeout=10, what="its log line")
        log = server.output.text()
    assert "/api/bookings/BK-UNKNOWN/?token=***" in log
    assert SECRET not in log


def test_the_runserver_request_log_masks_the_token(django_db_blocker):
    url = f"http://127.0.0.1:{free_port()}"
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.monolith",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": servers.test_database_url(),
    }
    argv = [sys.executable, "manage.py", "runserver", "--noreload", url.removeprefix("http://")]
    process = Process("runserver", argv, env, ready_url=f"{url}/healthz")
    process.start()
    try:
        with django_db_blocker.unblock():
            process.wait_ready(timeout=30)
            visit_with_token(url)
        wait_until(lambda: '" 404 ' in process.output.text(), timeout=10, what="its log line")
    finally:
        process.stop()
    text = process.output.text()
    assert "/api/bookings/BK-UNKNOWN/?token=***" in text
    assert SECRET not in text


def test_the_access_log_carries_the_request_id_the_app_answered_not_a_forged_one(
    django_db_blocker,
):
    forged = 'x" 200 0 1ms request_id=someone-else'
    with django_db_blocker.unblock(), servers.serve("monolith") as server:
        response = httpx.get(f"{server.url}/api/catalog/tours/", headers={"X-Request-ID": forged})
        wait_until(lambda: "/api/catalog/tours/" in server.output.text(), timeout=10, what="it")
        log = server.output.text()
    assert response.headers["X-Request-ID"] != forged
    assert f"request_id={response.headers['X-Request-ID']}" in log
    assert "someone-else" not in log
