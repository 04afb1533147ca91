"""The real deploy tools, run offline: the Compose CLI, hadolint, Helm's Go SDK, and
kubernetes-validate. Each test skips when a tool is missing (and fails under CI=true)."""

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_DIR = ROOT / "deploy" / "compose"
CHART = ROOT / "deploy" / "helm" / "tourism"
CI_VALUES = sorted((CHART / "ci").glob("*.yaml"))
GATEWAY_TEMPLATE = ROOT / "deploy" / "nginx" / "gateway.conf.template"
KUBERNETES_VERSION = "1.34.0"
RELEASE = "tourism"

# Every documented way to run compose: services or monolith, with or without dev reload.
COMPOSE_COMBINATIONS = {
    "services": ["compose.yaml"],
    "services-dev": ["compose.yaml", "compose.dev.yaml"],
    "monolith": ["compose.yaml", "compose.monolith.yaml"],
    "monolith-dev": ["compose.yaml", "compose.monolith.yaml", "compose.dev.yaml"],
    # Hybrids: the monolith with the apps after "+" extracted (a step's env file).
    **{
        f"monolith+{step.replace('-', '+')}": [
            "compose.yaml",
            "compose.monolith.yaml",
            "compose.hybrid.yaml",
            f"hybrid/{step}.env",
        ]
        for step in ("catalog", "catalog-payments", "catalog-payments-notifications")
    },
}


def compose_files(combination: str) -> list[str]:
    """The `docker compose` arguments that pick a combination's files (and env file)."""
    return [
        arg
        for name in COMPOSE_COMBINATIONS[combination]
        for arg in ("--env-file" if name.endswith(".env") else "-f", name)
    ]


# Imports one profile's settings and prints what they read from the environment through
# django-environ (the settings' one way to read it).
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


def settings_reads(profile: str, root: Path = ROOT) -> set[str]:
    """The environment variables the settings of ``profile`` (in the tree at ``root``) read."""
    result = subprocess.run(
        [sys.executable, "-c", SPY, profile],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", **SPY_ENVIRONMENT},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return set(json.loads(result.stdout))


def binary(name: str) -> str:
    """A tool installed beside this Python (the project's .venv), or on PATH."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    require(found is not None, f"{name} is not installed (pip install -r requirements/dev.txt)")
    return found


def helm():
    try:
        import helm_python
    except ImportError:
        require(False, "helm-python-sdk is not installed (pip install -r requirements/dev.txt)")
    return helm_python


def kubernetes_validate():
    try:
        import kubernetes_validate
    except ImportError:
        require(False, "kubernetes-validate is not installed (pip install -r requirements/dev.txt)")
    return kubernetes_validate


@functools.cache
def compose_config(
    combination: str, profiles: tuple[str, ...] = (), variables: tuple[tuple[str, str], ...] = ()
) -> dict:
    """The merged model of a compose file combination, as `docker-compose config` prints it
    (with these profiles on, and these variables in its environment)."""
    chosen = [arg for profile in profiles for arg in ("--profile", profile)]
    result = subprocess.run(
        [
            binary("docker-compose"),
            *compose_files(combination),
            *chosen,
            "config",
            "--format",
            "json",
        ],
        cwd=COMPOSE_DIR,
        env={**os.environ, **dict(variables)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def load_values(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def render_files(values: dict) -> dict[str, str]:
    """Template path -> rendered text, as `helm template` renders a first install."""
    with helm().Chart.load(CHART) as chart:
        return chart.render(values, name=RELEASE, namespace=RELEASE, revision=1, is_install=True)


def objects(values: dict) -> list[dict]:
    """Every Kubernetes object the chart renders for these values."""
    return [
        document
        for name, text in sorted(render_files(values).items())
        if not name.endswith("NOTES.txt")
        for document in yaml.safe_load_all(text)
        if document
    ]


@functools.cache
def rendered(values_file: str) -> list[dict]:
    """Every Kubernetes object the chart renders for a ci/ values file."""
    return objects(load_values(CHART / "ci" / values_file))


def pod_specs(objects: list[dict]) -> list[tuple[str, dict]]:
    """(object name, pod spec) of every workload: Deployments, StatefulSets, Jobs, Pods."""
    specs = []
    for item in objects:
        if item["kind"] in {"Deployment", "StatefulSet", "Job"}:
            specs.append((item["metadata"]["name"], item["spec"]["template"]["spec"]))
        elif item["kind"] == "Pod":
            specs.append((item["metadata"]["name"], item["spec"]))
    return specs


def of_kind(objects: list[dict], kind: str) -> list[dict]:
    return [item for item in objects if item["kind"] == kind]
