"""Parity: compose (every combination), the Helm chart (every ci/ values file), the local
runner (``make services``) and the settings agree on the processes that run
(``config.environment.PROCESSES``), the command and concurrency (gunicorn's workers and
threads, a Celery worker's processes) of each
(``config.environment.process``), the environment each profile reads
(``config.environment.required``), and the routes the public edge serves."""

import functools
import os
import re
import runpy
import shutil
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from unittest import mock

import pytest

from config import environment
from deploy.local.processes import Process
from deploy.local.topology import Topology
from tests.conftest import require
from tests.deploy.tools import (
    CHART,
    CI_VALUES,
    COMPOSE_COMBINATIONS,
    GATEWAY_TEMPLATE,
    RELEASE,
    ROOT,
    compose_config,
    load_values,
    objects,
    of_kind,
    settings_reads,
)
from tests.deploy.tools import SPY_ENVIRONMENT as PLACEHOLDERS

MODES = {"services": environment.APPS, "monolith": ("monolith",)}
# The steps from the monolith to services: the apps served on their own at each.
HYBRIDS = [("catalog",), ("catalog", "payments"), ("catalog", "payments", "notifications")]
# The chart's values of every ci/ file, and of the monolith at each step.
RELEASES = {path.name: load_values(path) for path in CI_VALUES} | {
    "+".join(["monolith", *hybrid]): load_values(CHART / "ci" / "monolith.yaml")
    | {"extracted": list(hybrid)}
    for hybrid in HYBRIDS
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


def table(mode: str, *, migrations: bool, extracted=()) -> set[tuple[str, str]]:
    """(profile, process) of everything ``mode`` runs (with the ``extracted`` apps on their
    own): the processes of each profile, and a migration per profile."""
    return {
        (profile, process)
        for profile in (*MODES[mode], *extracted)
        for process in [
            *environment.processes(profile, extracted if profile == "monolith" else ()),
            *(["migrate"] if migrations else []),
        ]
    }


def remote(profile: str, extracted) -> tuple[str, ...]:
    """The remote apps of ``profile``'s process: the extracted ones for the monolith."""
    return tuple(extracted) if profile == "monolith" else ()


def add_once(processes: dict, key: tuple[str, str], value) -> None:
    assert key not in processes, f"{key} runs twice"
    processes[key] = value


# --- compose ----------------------------------------------------------------------------


def compose_services(combination: str) -> dict[tuple[str, str], tuple[str, dict]]:
    """(profile, process) -> (service name, environment) of each Django container."""
    services = {}
    for name, service in compose_config(combination)["services"].items():
        environment_ = service.get("environment") or {}
        if "DJANGO_SETTINGS_MODULE" in environment_:
            process = process_of(service["command"])
            if process != "demo":
                add_once(services, (profile_of(environment_), process), (name, environment_))
    return services


def compose_processes(combination: str) -> dict[tuple[str, str], dict]:
    """(profile, process) -> environment of each Django container."""
    return {key: environment_ for key, (_, environment_) in compose_services(combination).items()}


# --- helm -------------------------------------------------------------------------------


@cache
def released(release: str) -> list[dict]:
    """Every object the chart renders for a release of RELEASES."""
    return objects(RELEASES[release])


def helm_processes(release: str) -> dict[tuple[str, str], set[str]]:
    """(profile, process) -> names of the variables its containers get (ConfigMap + Secret)."""
    objects = released(release)
    config_maps = {item["metadata"]["name"]: item.get("data", {}) for item in objects}
    processes = {}
    for item in [*of_kind(objects, "Deployment"), *of_kind(objects, "Job")]:
        if (
            item["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
            == "frontend"
        ):
            continue  # the storefront's nginx: no Django, no environment
        for container in item["spec"]["template"]["spec"]["containers"]:
            (source,) = container["envFrom"]
            data = config_maps[source["configMapRef"]["name"]]
            names = set(data) | {variable["name"] for variable in container["env"]}
            secrets = {variable["name"] for variable in container["env"] if "valueFrom" in variable}
            assert secrets >= environment.SECRETS & names, item["metadata"]["name"]
            key = (profile_of(data), process_of(container["args"]))
            add_once(processes, key, names)
    return processes


def helm_containers(release: str) -> dict[tuple[str, str], tuple[list[str], dict[str, str]]]:
    """(profile, process) -> (command, ConfigMap data) of each long-running Django container."""
    objects = released(release)
    config_maps = {item["metadata"]["name"]: item.get("data", {}) for item in objects}
    containers = {}
    for item in of_kind(objects, "Deployment"):
        for container in item["spec"]["template"]["spec"]["containers"]:
            if "envFrom" in container:  # not the storefront's nginx
                data = config_maps[container["envFrom"][0]["configMapRef"]["name"]]
                key = (profile_of(data), process_of(container["args"]))
                add_once(containers, key, (container["args"], data))
    return containers


# --- the local runner -------------------------------------------------------------------


def runner_processes(plan: list[Process]) -> dict[tuple[str, str], Process]:
    """(profile, process) -> each Django process of the runner's plan (not the gateway)."""
    processes = {}
    for process in plan:
        if "DJANGO_SETTINGS_MODULE" in process.env:
            add_once(processes, (profile_of(process.env), process_of(process.argv)), process)
    return processes


@pytest.fixture(
    params=[("services", ()), ("monolith", ()), *(("monolith", hybrid) for hybrid in HYBRIDS)],
    ids=lambda param: "+".join([param[0], *param[1]]),
)
def topology(request):
    """The runner's plan for a mode (and a hybrid's extracted apps); plan() starts nothing."""
    mode, extracted = request.param
    with Topology(mode, extracted=extracted, echo=lambda line: None) as topology:
        yield topology


# --- every deployment runs the table's processes, with exactly their environment ---------


def compose_mode(combination: str) -> tuple[str, tuple[str, ...]]:
    """The mode of a compose combination, and its extracted apps: "monolith+catalog"."""
    mode, *extracted = combination.removesuffix("-dev").split("+")
    return mode, tuple(extracted)


@pytest.mark.parametrize("combination", sorted(COMPOSE_COMBINATIONS))
def test_compose_runs_the_processes_of_the_table(combination):
    mode, extracted = compose_mode(combination)
    expected = table(mode, migrations=True, extracted=extracted)
    assert set(compose_processes(combination)) == expected


def extracted_of(release: str) -> tuple[str, ...]:
    return tuple(RELEASES[release].get("extracted", ()))


@pytest.mark.parametrize("release", RELEASES)
def test_helm_runs_the_processes_of_the_table(release):
    mode = RELEASES[release].get("mode", "services")
    expected = table(mode, migrations=True, extracted=extracted_of(release))
    assert set(helm_processes(release)) == expected


def test_the_runner_runs_the_processes_of_the_table(topology):
    expected = table(topology.mode, migrations=False, extracted=topology.extracted)
    assert set(runner_processes(topology.plan())) == expected


@pytest.mark.parametrize("combination", sorted(COMPOSE_COMBINATIONS))
def test_compose_gives_each_profile_exactly_its_environment(combination):
    _, extracted = compose_mode(combination)
    for (profile, process), environment_ in compose_processes(combination).items():
        given = set(environment_) - environment.TUNING
        expected = environment.required(profile, remote(profile, extracted))
        assert given == expected, (profile, process)


@pytest.mark.parametrize("release", RELEASES)
def test_helm_gives_each_profile_exactly_its_environment(release):
    for (profile, process), names in helm_processes(release).items():
        expected = environment.required(profile, remote(profile, extracted_of(release)))
        assert names - environment.TUNING == expected, (profile, process)


def test_the_runner_gives_each_profile_exactly_its_environment(topology):
    for profile in topology.profiles:
        given = set(topology.environment(profile)) - environment.TUNING
        assert given == environment.required(profile, remote(profile, topology.extracted))
    for (profile, process), planned in runner_processes(topology.plan()).items():
        given = set(planned.env) - environment.TUNING
        expected = environment.required(profile, remote(profile, topology.extracted))
        assert given == expected, (profile, process)


@pytest.mark.parametrize("extracted", HYBRIDS, ids="+".join)
def test_in_a_hybrid_identity_stays_in_the_monolith_database(extracted):
    with Topology("monolith", extracted=extracted, echo=lambda line: None) as topology:
        monolith = topology.environment("monolith")
        assert monolith["REMOTE_APPS"] == ",".join(extracted)
        for app in extracted:
            service = topology.environment(app)
            assert service["IDENTITY_DATABASE_URL"] == monolith["DATABASE_URL"]
            assert service["DATABASE_URL"] != monolith["DATABASE_URL"]
            assert monolith[environment.service_url(app)] == topology.url(app)


# --- every deployment runs each process with the table's command and concurrency ---------


def gunicorn_concurrency(given: dict[str, str]) -> tuple[int, int]:
    """(workers, threads) that config/gunicorn.py gives a web process with this environment."""
    with mock.patch.dict(os.environ, given, clear=True):
        config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    return config["workers"], config["threads"]


def table_concurrency(profile: str, tuned: dict[str, str], extracted=()) -> tuple[int, int]:
    """The table's concurrency for the web process of ``profile`` (next to the
    ``extracted`` apps), as a deployment's own WEB_CONCURRENCY or GUNICORN_THREADS (tuning,
    say in a chart's ``env``) changes it."""
    web = environment.process(profile, "web", remote(profile, extracted))
    return (
        int(tuned.get("WEB_CONCURRENCY", web.workers)),
        int(tuned.get("GUNICORN_THREADS", web.threads)),
    )


# Celery's worker_concurrency as the settings of a profile give it.
WORKER_CONCURRENCY = "from config.celery import app; print(app.conf.worker_concurrency)"


@functools.cache
def settings_worker_concurrency(profile: str, tuning: frozenset) -> int:
    result = subprocess.run(
        [sys.executable, "-c", WORKER_CONCURRENCY],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            **PLACEHOLDERS,  # for the secrets, whose values no deployment file shows
            **dict(tuning),
            "DJANGO_SETTINGS_MODULE": f"config.settings.{profile}",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(result.stdout)


def celery_concurrency(argv: list[str], given: dict[str, str]) -> int:
    """The processes a Celery worker with this command line and environment starts: its
    --concurrency, else the settings' worker_concurrency."""
    for option in ("--concurrency", "-c"):
        if option in argv:
            return int(argv[argv.index(option) + 1])
    tuning = frozenset((name, given[name]) for name in environment.TUNING if name in given)
    return settings_worker_concurrency(profile_of(given), tuning)


def table_worker_concurrency(profile: str, tuned: dict[str, str]) -> int:
    """The table's processes for the Celery worker of ``profile``, as a deployment's own
    CELERY_WORKER_CONCURRENCY changes it."""
    return int(
        tuned.get("CELERY_WORKER_CONCURRENCY", environment.process(profile, "worker").workers)
    )


def test_the_table_gives_threads_to_the_service_that_waits_on_its_peers():
    assert environment.process("bookings", "web").threads == 4
    assert {environment.process(profile, "web").threads for profile in ("monolith", "catalog")} == {
        1
    }
    # A hybrid monolith with bookings waits on its remote apps, as the bookings service does.
    assert environment.process("monolith", "web", remote=("catalog",)).threads == 4
    assert environment.process("monolith", "web", remote=("bookings",)).threads == 1
    assert environment.process("bookings", "relay").argv == ("python", "manage.py", "outbox_relay")
    with pytest.raises(ValueError, match="runs no beat process"):
        environment.process("payments", "beat")


@pytest.mark.parametrize("combination", sorted(COMPOSE_COMBINATIONS))
def test_compose_runs_each_process_with_the_table_command(combination):
    for name, service in compose_config(combination)["services"].items():
        given = service.get("environment") or {}
        if "DJANGO_SETTINGS_MODULE" not in given:
            continue
        profile, kind = profile_of(given), process_of(service["command"])
        if kind not in environment.COMMANDS:
            continue  # one-shot migrations and demo data
        if combination.endswith("-dev") and kind == "web":
            # compose.dev.yaml: Django's auto-reloading server instead of gunicorn
            assert service["command"] == ["python", "manage.py", "runserver", "0.0.0.0:8000"]
            continue
        assert service["command"] == list(environment.process(profile, kind).argv), name


@pytest.mark.parametrize("release", RELEASES)
def test_helm_runs_each_process_with_the_table_command(release):
    for (profile, kind), (command, _) in helm_containers(release).items():
        assert command == list(environment.process(profile, kind).argv), (profile, kind)


@pytest.mark.parametrize("combination", ["services", "monolith"])
def test_compose_web_processes_run_the_table_concurrency(combination):
    for (profile, kind), (_, given) in compose_services(combination).items():
        if kind == "web":
            assert gunicorn_concurrency(given) == table_concurrency(profile, {}), profile


@pytest.mark.parametrize("combination", ["services", "monolith"])
def test_compose_celery_workers_run_the_table_concurrency(combination):
    workers = {
        key: value for key, value in compose_services(combination).items() if key[1] == "worker"
    }
    assert workers
    for (profile, _), (name, given) in workers.items():
        command = compose_config(combination)["services"][name]["command"]
        assert celery_concurrency(command, given) == table_worker_concurrency(profile, {}), name


def chart_tuning(release: str, profile: str) -> dict[str, str]:
    """The ``env`` a release's values give the component of ``profile``."""
    values = RELEASES[release]
    components = values if profile == "monolith" else values.get("apps", {})
    return components.get(profile, {}).get("env", {})


@pytest.mark.parametrize("release", RELEASES)
def test_helm_web_processes_run_the_table_concurrency(release):
    for (profile, kind), (_, data) in helm_containers(release).items():
        if kind == "web":
            tuned = chart_tuning(release, profile)
            expected = table_concurrency(profile, tuned, extracted_of(release))
            assert gunicorn_concurrency(data) == expected, profile


@pytest.mark.parametrize("release", RELEASES)
def test_helm_celery_workers_run_the_table_concurrency(release):
    workers = {key: value for key, value in helm_containers(release).items() if key[1] == "worker"}
    assert workers
    for (profile, _), (args, data) in workers.items():
        expected = table_worker_concurrency(profile, chart_tuning(release, profile))
        assert celery_concurrency(args, data) == expected, profile


def test_the_runner_runs_each_process_with_the_table_command_and_threads(topology):
    """The runner runs the table's program with its arguments (its own Python; one gunicorn
    worker and one Celery process on a development machine, beat's schedule in the
    runner's folder), and the table's threads."""
    for (profile, kind), planned in runner_processes(topology.plan()).items():
        program, *args = environment.process(profile, kind).argv
        python = [sys.executable] if program == "python" else [sys.executable, "-m", program]
        expected = [*python, *args]
        assert planned.argv[: len(expected)] == expected, (profile, kind)
        if kind == "web":
            threads = table_concurrency(profile, {}, topology.extracted)[1]
            assert gunicorn_concurrency(planned.env) == (1, threads)
        if kind == "worker":
            assert celery_concurrency(planned.argv, planned.env) == 1, profile


def test_the_runner_as_deployed_runs_the_table_concurrency():
    """Its concurrency=None (the benchmark's): every process as the table says."""
    with Topology("services", concurrency=None, echo=lambda line: None) as topology:
        planned = runner_processes(topology.plan())
    for (profile, kind), process in planned.items():
        if kind == "web":
            assert gunicorn_concurrency(process.env) == table_concurrency(profile, {}), profile
        if kind == "worker":
            expected = table_worker_concurrency(profile, {})
            assert celery_concurrency(process.argv, process.env) == expected, profile


@pytest.mark.parametrize("profile", environment.PROFILES)
def test_settings_read_nothing_outside_the_contract(profile):
    assert settings_reads(profile) - environment.known() == set(), (
        "add these to config/environment.py and the deployments"
    )


# --- the gateway ------------------------------------------------------------------------


def template_variables() -> set[str]:
    return set(re.findall(r"\$\{(\w+)\}", GATEWAY_TEMPLATE.read_text()))


def substituted(values: dict[str, str]) -> str:
    """The template as envsubst renders it with ``values``: only ``${NAME}`` is replaced."""
    return re.sub(r"\$\{(\w+)\}", lambda match: values[match[1]], GATEWAY_TEMPLATE.read_text())


def upstreams(mode: str, address_of_web: Callable[[str], str], extracted=()) -> dict[str, str]:
    """<APP>_UPSTREAM -> the address of the web process serving that app in ``mode`` (with
    the ``extracted`` apps on their own), and the front's."""
    serves = {
        app: app if mode == "services" or app in extracted else "monolith"
        for app in environment.APPS
    }
    front = address_of_web("catalog" if mode == "services" else "monolith")
    return {
        f"{app.upper()}_UPSTREAM": address_of_web(profile) for app, profile in serves.items()
    } | {"FRONT_UPSTREAM": front}


@pytest.mark.parametrize("combination", sorted(COMPOSE_COMBINATIONS))
def test_compose_gives_the_gateway_every_variable_and_the_web_services(combination):
    mode, extracted = compose_mode(combination)
    services = compose_services(combination)
    gateway = compose_config(combination)["services"]["gateway"]["environment"]
    assert set(gateway) == template_variables()
    expected = upstreams(mode, lambda profile: f"{services[(profile, 'web')][0]}:8000", extracted)
    assert {name: gateway[name] for name in expected} == expected
    # Every other path: the storefront's own web server.
    assert gateway["STOREFRONT_UPSTREAM"] == "frontend:8080"
    assert "frontend" in compose_config(combination)["services"]


def test_the_runner_renders_the_gateway_in_front_of_its_web_processes(topology):
    plan = topology.plan()
    (gateway,) = [process for process in plan if process.name == "gateway"]
    main = gateway.argv[gateway.argv.index("-c") + 1]
    (include,) = [
        name
        for name in re.findall(r"include (\S+);", Path(main).read_text())
        if name.endswith("/gateway.conf")
    ]
    webs = {
        profile: process
        for (profile, kind), process in runner_processes(plan).items()
        if kind == "web"
    }
    values = upstreams(
        topology.mode,
        lambda profile: f"{webs[profile].env['HOST']}:{webs[profile].env['PORT']}",
        topology.extracted,
    )
    values["GATEWAY_LISTEN"] = topology.gateway_url.removeprefix("http://")
    values["GATEWAY_RATE_LIMIT"] = topology.gateway_rate_limit
    values["GATEWAY_RATE_BURST"] = str(topology.gateway_rate_burst)
    values["GATEWAY_CATALOG_CACHE"] = "catalog" if topology.gateway_catalog_cache else "off"
    values["STOREFRONT_UPSTREAM"] = f"127.0.0.1:{topology.ports['storefront']}"
    assert set(values) == template_variables()
    assert Path(include).read_text() == substituted(values)


def test_the_runner_gateway_configuration_is_valid_nginx(topology):
    (gateway,) = [process for process in topology.plan() if process.name == "gateway"]
    require(shutil.which(gateway.argv[0]) is not None, "nginx is not installed")
    result = subprocess.run(
        [*gateway.argv, "-t"], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr


# --- routes -----------------------------------------------------------------------------


def gateway_routes() -> dict[str, str]:
    """Prefix -> upstream of every proxied location of the nginx gateway."""
    text = GATEWAY_TEMPLATE.read_text()
    return dict(re.findall(r"location (/[\w/]*) \{ proxy_pass http://(\w+); \}", text))


@pytest.mark.parametrize(
    "release", ["services.yaml", "monolith.yaml", *(r for r in RELEASES if "+" in r)]
)
def test_the_ingress_serves_the_gateway_routes_in_every_mode_and_hybrid(release):
    """Each app's prefixes to whatever serves it (the monolith, or its own service when
    extracted), the front's to the front."""
    routes = gateway_routes()
    assert routes["/api/catalog/"] == "catalog" and "/internal/" not in routes
    mode, extracted = RELEASES[release].get("mode", "services"), extracted_of(release)
    (ingress,) = of_kind(released(release), "Ingress")
    (rule,) = ingress["spec"]["rules"]
    served = {
        path["path"]: path["backend"]["service"]["name"].removeprefix(f"{RELEASE}-")
        for path in rule["http"]["paths"]
    }
    front = "catalog" if mode == "services" else "monolith"
    serves = {
        app: app if mode == "services" or app in extracted else "monolith"
        for app in environment.APPS
    }
    expected = {prefix: serves.get(upstream, front) for prefix, upstream in routes.items()}
    assert served == expected | {"/": "frontend"}  # the gateway's / is the storefront too


def test_the_gateway_blocks_internal_endpoints_and_answers_its_own_health():
    text = GATEWAY_TEMPLATE.read_text()
    assert re.search(r"location /internal/ \{\s+default_type [^;]+;\s+return 404", text)
    assert re.search(r"location = /healthz \{[^}]*return 200", text)
