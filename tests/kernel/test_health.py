import pytest

from deploy.local.processes import free_port


def test_healthz_answers_without_touching_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database:default": "ok"}


@pytest.mark.django_db
def test_readyz_is_a_503_problem_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = f"amqp://guest:guest@127.0.0.1:{free_port()}//"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["checks"]["broker"].startswith("error")


def test_every_response_carries_a_request_id(client):
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    echoed = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert echoed["X-Request-ID"] == "abc-123"
