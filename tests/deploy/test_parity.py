"""Parity: compose, the Helm chart (both modes) and the settings agree on the processes
that run, the environment each profile reads (config/environment.py), and the routes the
public edge serves."""

import json
import re
import subprocess
import sys

import pytest

from config import environment
from tests.deploy.tools import (
    GATEWAY_TEMPLATE,
    RELEASE,
    ROOT,
    compose_config,
    of_kind,
    rendered,
)

# Each spy run imports one profile's settings and reports what it read from the environment
# through django-environ (the settings' one way to read it).
SPY = """
import environ, importlib, json, sys
read = set()
get_value = environ.Env.get_value
def spy(self, var, *args, **kwargs):
    read.add(var)
    return get_value(self, var, *args, **kwargs)
environ.Env.get_value = spy
importlib.import_module("config.settings." + sys.argv[1])
print(json.dumps(sorted(read)))
"""
SPY_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "x",
    "DJANGO_ALLOWED_HOSTS": "x",
    "DATABASE_URL": "postgres://u:p@db/app",
    "IDENTITY_DATABASE_URL": "postgres://u:p@db/identity",
}


def process_of(command: list[str]) -> str:
    words = " ".join(command)
    for process, marker in [
        ("web", "gunicorn"),
        ("web", "runserver"),
        ("worker", "celery -A config worker"),
        ("beat", "celery -A config beat"),
        ("relay", "outbox_relay"),
        ("migrate", "migrate_service"),
        ("demo", "seed_demo"),
    ]:
        if marker in words:
            return process
    raise AssertionError(f"unknown process: {words}")


def profile_of(environment_: dict) -> str:
    return environment_["DJANGO_SETTINGS_MODULE"].removeprefix("config.settings.")


# --- compose ----------------------------------------------------------------------------


def compose_processes(combination: str) -> dict[tuple[str, str], dict]:
    """(profile, process) -> environment of each Django container."""
    processes = {}
    for service in compose_config(combination)["services"].values():
        environment_ = service.get("environment") or {}
        if "DJANGO_SETTINGS_MODULE" in environment_:
            process = process_of(service["command"])
            if process != "demo":
                processes[(profile_of(environment_), process)] = environment_
    return processes


# --- helm -------------------------------------------------------------------------------


def helm_processes(values_file: str) -> dict[tuple[str, str], set[str]]:
    """(profile, process) -> names of the variables its containers get (ConfigMap + Secret)."""
    objects = rendered(values_file)
    config_maps = {item["metadata"]["name"]: item.get("data", {}) for item in objects}
    processes = {}
    for item in [*of_kind(objects, "Deployment"), *of_kind(objects, "Job")]:
        for container in item["spec"]["template"]["spec"]["containers"]:
            (source,) = container["envFrom"]
            data = config_maps[source["configMapRef"]["name"]]
            names = set(data) | {variable["name"] for variable in container["env"]}
            secrets = {variable["name"] for variable in container["env"] if "valueFrom" in variable}
            assert secrets >= environment.SECRETS & names, item["metadata"]["name"]
            processes[(profile_of(data), process_of(container["command"]))] = names
    return processes


@pytest.mark.parametrize(
    ("combination", "values_file"),
    [("services", "services.yaml"), ("monolith", "monolith.yaml")],
)
def test_compose_and_helm_run_the_same_processes(combination, values_file):
    assert set(compose_processes(combination)) == set(helm_processes(values_file))


@pytest.mark.parametrize("combination", ["services", "monolith"])
def test_compose_gives_each_profile_exactly_its_environment(combination):
    for (profile, process), environment_ in compose_processes(combination).items():
        given = set(environment_) - environment.TUNING
        assert given == environment.required(profile), (profile, process)


@pytest.mark.parametrize("values_file", ["services.yaml", "monolith.yaml", "autoscaling.yaml"])
def test_helm_gives_each_profile_exactly_its_environment(values_file):
    for (profile, process), names in helm_processes(values_file).items():
        assert names - environment.TUNING == environment.required(profile), (profile, process)


@pytest.mark.parametrize("profile", environment.PROFILES)
def test_settings_read_nothing_outside_the_contract(profile):
    result = subprocess.run(
        [sys.executable, "-c", SPY, profile],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **SPY_ENVIRONMENT},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    read = set(json.loads(result.stdout))
    known = environment.TUNING | {
        name for other in environment.PROFILES for name in environment.required(other)
    }
    assert read - known == set(), "add these to config/environment.py and the deployments"


# --- routes -----------------------------------------------------------------------------


def gateway_routes() -> dict[str, str]:
    """Prefix -> upstream of every proxied location of the nginx gateway."""
    text = GATEWAY_TEMPLATE.read_text()
    return dict(re.findall(r"location (/[\w/]*) \{ proxy_pass http://(\w+); \}", text))


def test_the_ingress_serves_the_gateway_routes_in_both_modes():
    routes = gateway_routes()
    assert routes["/api/catalog/"] == "catalog" and "/internal/" not in routes
    for values_file, upstream in [("services.yaml", None), ("monolith.yaml", "monolith")]:
        (ingress,) = of_kind(rendered(values_file), "Ingress")
        (rule,) = ingress["spec"]["rules"]
        served = {
            path["path"]: path["backend"]["service"]["name"].removeprefix(f"{RELEASE}-")
            for path in rule["http"]["paths"]
        }
        assert served == {prefix: upstream or app for prefix, app in routes.items()}


def test_the_gateway_blocks_internal_endpoints_and_answers_its_own_health():
    text = GATEWAY_TEMPLATE.read_text()
    assert re.search(r"location /internal/ \{\s+default_type [^;]+;\s+return 404", text)
    assert re.search(r"location = /healthz \{[^}]*return 200", text)
