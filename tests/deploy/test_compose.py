"""The Compose files: every documented combination is valid, and the topology starts in
order: infrastructure healthy, migrations done, then the processes that need them."""

import pytest

from tests.deploy.tools import COMPOSE_COMBINATIONS, compose_config

ONE_SHOT_COMMANDS = {"migrate_service", "seed_demo"}


def one_shot(service: dict) -> bool:
    return service.get("restart") in (None, "no") and bool(
        ONE_SHOT_COMMANDS & set(" ".join(service.get("command") or []).split())
    )


@pytest.fixture(params=sorted(COMPOSE_COMBINATIONS))
def services(request) -> dict:
    return compose_config(request.param)["services"]


def test_every_long_running_service_has_a_healthcheck_and_a_restart_policy(services):
    for name, service in services.items():
        if one_shot(service):
            assert service.get("restart") == "no", name
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert service.get("restart") == "unless-stopped", name


def test_worker_beat_and_relay_are_checked_by_the_healthcheck_command(services):
    for name, service in services.items():
        command = " ".join(service.get("command") or [])
        if "celery" in command or "outbox_relay" in command:
            test = service["healthcheck"]["test"]
            assert test == ["CMD", "python", "manage.py", "healthcheck"], name


def test_dependencies_are_waited_on_until_healthy_or_completed(services):
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            expected = (
                "service_completed_successfully"
                if one_shot(services[dependency])
                else "service_healthy"
            )
            assert condition["condition"] == expected, f"{name} -> {dependency}"


def test_each_django_process_waits_for_its_own_migrations(services):
    for name, service in services.items():
        environment = service.get("environment", {})
        if "DJANGO_SETTINGS_MODULE" not in environment or one_shot(service):
            continue
        migrations = [
            dependency
            for dependency in service["depends_on"]
            if "migrate_service" in (services[dependency].get("command") or [])
            and services[dependency]["environment"]["DATABASE_URL"] == environment["DATABASE_URL"]
        ]
        assert migrations, f"{name} starts without waiting for its database's migrations"


def test_state_lives_in_named_volumes_and_rabbitmq_keeps_its_node_name(services):
    assert services["rabbitmq"]["hostname"] == "rabbitmq"
    for name in ("postgres", "rabbitmq"):
        volumes = [volume for volume in services[name]["volumes"] if volume["type"] == "volume"]
        assert volumes, f"{name} keeps its data in no named volume"


def test_postgres_healthcheck_waits_for_tcp_not_the_init_socket(services):
    test = services["postgres"]["healthcheck"]["test"]
    assert test[test.index("-h") + 1] == "127.0.0.1"
