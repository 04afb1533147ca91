"""The images, read as Docker reads them: hadolint is clean, and what the image decides on
its own (its user, its port, its default command) agrees with the deployments that run it.
That the images build and serve is shown in containers (test_compose_*, test_chart_booted)."""

import json
import subprocess
from dataclasses import dataclass

import pytest
from dockerfile_parse import DockerfileParser

from tests.deploy.tools import ROOT, binary, compose_config, rendered

CHART_VALUES = "services.yaml"


@dataclass(frozen=True)
class Image:
    dockerfile: str
    chart_repository: str  # how the chart's pods name this image
    compose_web_service: str  # a compose service that runs its web process


IMAGES = {
    "app": Image("Dockerfile", "tourism-booking", "catalog"),
    "storefront": Image("frontend/Dockerfile", "tourism-frontend", "frontend"),
}


def final_stage(image: Image) -> dict[str, str]:
    """The last value of each instruction in the image's final stage."""
    parser = DockerfileParser(str(ROOT / image.dockerfile))
    stages = [[]]
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            stages.append([])
        stages[-1].append(instruction)
    return {item["instruction"]: item["value"] for item in stages[-1]} | {"ENV": parser.envs}


def chart_containers(image: Image) -> list[tuple[dict, dict]]:
    """(pod spec, container) of every long-running chart container that runs this image."""
    found = []
    for item in rendered(CHART_VALUES):
        if item["kind"] not in {"Deployment", "StatefulSet"}:
            continue
        spec = item["spec"]["template"]["spec"]
        for container in spec["containers"]:
            if container["image"].split(":")[0].endswith("/" + image.chart_repository):
                found.append((spec, container))
    assert found, f"no chart container runs {image.chart_repository}"
    return found


def test_hadolint_passes_on_the_image_and_the_local_stand_ins():
    dockerfiles = [
        ROOT / "Dockerfile",
        ROOT / "frontend" / "Dockerfile",
        *sorted((ROOT / "deploy" / "images").glob("*/Dockerfile")),
    ]
    result = subprocess.run(
        [binary("hadolint"), "--no-color", *map(str, dockerfiles)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", IMAGES)
def test_the_image_runs_as_the_numeric_non_root_user_its_pods_declare(name):
    """Compose runs the image's own user; Kubernetes can check runAsNonRoot only against a
    numeric one, and fsGroup makes volumes writable only for the uid the pods declare."""
    image = IMAGES[name]
    uid, _, gid = final_stage(image)["USER"].partition(":")
    assert uid.isdigit() and gid.isdigit(), f"{image.dockerfile}: USER {uid}:{gid} is not numeric"
    assert int(uid) != 0 and int(gid) != 0
    for spec, container in chart_containers(image):
        security = spec.get("securityContext", {}) | container.get("securityContext", {})
        assert (security["runAsUser"], security["runAsGroup"]) == (int(uid), int(gid))


@pytest.mark.parametrize("name", IMAGES)
def test_the_image_listens_on_the_port_the_deployments_send_traffic_to(name):
    image = IMAGES[name]
    stage = final_stage(image)
    exposed = int(stage["EXPOSE"])
    if "PORT" in stage["ENV"]:  # gunicorn binds to $PORT (config/gunicorn.py)
        assert int(stage["ENV"]["PORT"]) == exposed
    for _, container in chart_containers(image):
        # workers, beat and the relay serve only their metrics (docs/observability.md)
        ports = {p["containerPort"] for p in container.get("ports", []) if p["name"] != "metrics"}
        assert ports in (set(), {exposed}), container["name"]
    services = compose_config("services")["services"]
    service = image.compose_web_service
    upstreams = json.dumps(services["gateway"]["environment"])
    assert f"{service}:{exposed}" in upstreams, f"the gateway does not reach {service}:{exposed}"
    healthcheck = " ".join(services[service]["healthcheck"]["test"])
    assert f"127.0.0.1:{exposed}/" in healthcheck, healthcheck


def test_the_default_command_is_the_web_server_the_deployments_run():
    """`docker run` of the image with no command serves the site as compose and the chart
    do (their containers are booted for real by the container tests)."""
    stage = final_stage(IMAGES["app"])
    default = json.loads(stage["CMD"])  # exec form: the process gets SIGTERM itself
    assert default == compose_config("services")["services"]["catalog"]["command"]
    web = [c for _, c in chart_containers(IMAGES["app"]) if c["name"] == "web"]
    assert web and all(container["args"] == default for container in web)
    assert isinstance(json.loads(stage["ENTRYPOINT"]), list)  # an init in exec form is PID 1
