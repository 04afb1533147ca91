"""Compose's observability profile, read as `docker compose config` renders it: a collector
that forwards to Jaeger, a Prometheus whose configuration (as mounted) passes `promtool
check config` with the repository's alert rules and finds every Django container of every
combination, and a Grafana provisioned with the repository's dashboard."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import require
from tests.deploy.test_parity import process_of
from tests.deploy.tools import COMPOSE_COMBINATIONS, COMPOSE_DIR, compose_config

PROFILE = ("observability",)
TOOLS = {"otel-collector", "jaeger", "prometheus", "grafana"}
COLLECTOR = "http://otel-collector:4318"  # what docs/observability.md says to set


def observed(combination: str) -> dict:
    """The combination's services with the profile on, as docs/deploy.md says to turn it on:
    ``--profile observability``, or beside a hybrid's own profiles in ``COMPOSE_PROFILES``
    (a ``--profile`` would replace them)."""
    env_files = [
        COMPOSE_DIR / name for name in COMPOSE_COMBINATIONS[combination] if name.endswith(".env")
    ]
    if not env_files:
        return compose_config(combination, PROFILE)["services"]
    (env_file,) = env_files
    (own,) = re.findall(r"^COMPOSE_PROFILES=(.*)$", env_file.read_text(), re.M)
    return compose_config(combination, variables=(("COMPOSE_PROFILES", f"{own},observability"),))[
        "services"
    ]


def mounted(service: dict, root: Path) -> Path:
    """The service's bind mounts copied under ``root`` at their paths in the container."""
    for volume in service["volumes"]:
        target = root / volume["target"].lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(volume["source"], target)
    return root


def mounts(service: dict) -> dict[str, Path]:
    """Container path -> the repository's file."""
    return {volume["target"]: Path(volume["source"]) for volume in service["volumes"]}


@pytest.mark.parametrize("combination", sorted(COMPOSE_COMBINATIONS))
def test_the_profile_adds_its_services_and_nothing_else_only_when_asked_for(combination):
    without = set(compose_config(combination)["services"])
    assert not TOOLS & without
    assert set(observed(combination)) == without | TOOLS


def test_prometheus_as_mounted_passes_promtool_with_the_alert_rules(tmp_path):
    require(shutil.which("promtool") is not None, "needs promtool (make prometheus)")
    prometheus = compose_config("services", PROFILE)["services"]["prometheus"]
    assert mounts(prometheus)["/etc/prometheus/rules.yml"].resolve() == (
        COMPOSE_DIR.parent / "observability" / "rules.yml"
    )
    root = mounted(prometheus, tmp_path)
    checked = subprocess.run(
        ["promtool", "check", "config", str(root / "etc/prometheus/prometheus.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("combination", sorted(COMPOSE_COMBINATIONS))
def test_prometheus_finds_every_django_container_on_the_port_it_serves(combination):
    services = observed(combination)
    config = yaml.safe_load(
        mounts(services["prometheus"])["/etc/prometheus/prometheus.yml"].read_text()
    )
    targets = {
        (name, sd["port"])
        for job in config["scrape_configs"]
        for sd in job["dns_sd_configs"]
        for name in sd["names"]
    }
    for name, service in services.items():
        environment = service.get("environment") or {}
        if "DJANGO_SETTINGS_MODULE" not in environment:
            continue
        process = process_of(service["command"])
        if process == "web":
            assert (name, 8000) in targets, name
        elif process in ("worker", "beat", "relay"):
            assert (name, int(environment["METRICS_PORT"])) in targets, name


def test_with_the_documented_endpoint_every_django_process_sends_its_spans_to_jaeger():
    variables = (("OTEL_EXPORTER_OTLP_ENDPOINT", COLLECTOR),)
    services = compose_config("services", PROFILE, variables)["services"]
    django = [
        s for s in services.values() if "DJANGO_SETTINGS_MODULE" in (s.get("environment") or {})
    ]
    assert len(django) >= 10
    assert {s["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] for s in django} == {COLLECTOR}
    collector = services["otel-collector"]
    config = yaml.safe_load(mounts(collector)["/etc/otelcol/config.yaml"].read_text())
    assert config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].endswith(":4318")
    (exporter,) = config["service"]["pipelines"]["traces"]["exporters"]
    assert config["exporters"][exporter]["endpoint"] == "jaeger:4317"
    assert "jaeger" in services


def test_grafana_is_provisioned_with_the_dashboard_and_prometheus():
    grafana = compose_config("services", PROFILE)["services"]["grafana"]
    files = mounts(grafana)
    (provider,) = yaml.safe_load(
        files["/etc/grafana/provisioning/dashboards/tourism.yaml"].read_text()
    )["providers"]
    dashboards = {
        source.resolve()
        for target, source in files.items()
        if Path(target).parent == Path(provider["options"]["path"])
    }
    assert dashboards == {(COMPOSE_DIR.parent / "observability" / "dashboard.json").resolve()}
    (source,) = yaml.safe_load(
        files["/etc/grafana/provisioning/datasources/tourism.yaml"].read_text()
    )["datasources"]
    assert source["type"] == "prometheus" and source["isDefault"]
    assert source["url"] == "http://prometheus:9090"
