"""The chart's workloads booted as rendered (tests/deploy/booted.py), in services mode and a
hybrid step (ci/hybrid.yaml: the monolith's workloads, catalog and payments apart), with the
booking journey through the Ingress paths and `helm test`'s pod. Monolith mode's workloads
are the hybrid's monolith ones; its Ingress is render-tested (tests/deploy/test_helm.py)."""

from dataclasses import dataclass

import pytest

from tests.deploy.booted import Release, docker
from tests.deploy.containers import Mailpit
from tests.deploy.test_compose_services import (  # the shop at "/" through the Ingress
    test_the_shop_is_served_at_the_root_and_on_its_own_routes,  # noqa: F401
)
from tests.deploy.tools import CHART, load_values, objects
from tests.e2e.test_journey_through_the_gateway import (  # the same journey, run here too
    test_browse_book_pay_cancel_and_manage,  # noqa: F401
    test_internal_endpoints_are_not_reachable_from_outside,  # noqa: F401
)

pytestmark = [pytest.mark.slow, pytest.mark.containers]


def merged(base: dict, override: dict) -> dict:
    return base | {
        key: merged(base[key], value)
        if isinstance(value, dict) and isinstance(base.get(key), dict)
        else value
        for key, value in override.items()
    }


def image_value(image: str) -> dict:
    repository, tag = image.rsplit(":", 1)
    return {"repository": repository, "tag": tag}


def boot_values(values_file: str, images: dict[str, str]) -> dict:
    """The ci/ values with what only this machine decides: the images built here, a plain
    HTTP host on loopback (no TLS in front) and an SMTP server to read the emails from."""
    return merged(
        load_values(CHART / "ci" / values_file),
        {
            "image": image_value(images["TOURISM_IMAGE"]),
            "host": "localhost",
            "ingress": {"tls": {"enabled": False}},
            "config": {"secureSslRedirect": False},
            "secrets": {"emailUrl": "smtp://mailsink:1025"},
            "postgresql": {"image": image_value(images["POSTGRES_IMAGE"])},
            "rabbitmq": {"image": image_value(images["RABBITMQ_IMAGE"])},
            "redis": {"image": image_value(images["REDIS_IMAGE"])},
            "frontend": {"image": image_value(images["TOURISM_FRONTEND_IMAGE"])},
        },
    )


@dataclass
class Booted:
    mode: str
    gateway_url: str
    mailpit: Mailpit
    release: Release

    def database_url(self, name: str) -> str:
        return self.release.database_url(name)


@pytest.fixture(scope="module", params=["services", "hybrid"])
def booted(request, images):
    values = boot_values(f"{request.param}.yaml", images)
    extracted = values.get("extracted", [])
    # A hybrid's mode names the apps served apart: "monolith+catalog+payments".
    mode = "+".join([values.get("mode") or load_values(CHART / "values.yaml")["mode"], *extracted])
    with Release(objects(values)) as release:
        mail = release.outside("mailsink", images["MAILPIT_IMAGE"], publish=8025)
        release.boot()
        front = "catalog" if mode == "services" or "catalog" in extracted else "monolith"
        release.exec(f"tourism-{front}-0", "web", "python", "manage.py", "seed_demo")
        # The development login: ensure_staff makes it only with debug on.
        staff = ("env", "DJANGO_DEBUG=1", "python", "manage.py", "ensure_staff")
        release.exec(f"tourism-{front}-0", "web", *staff)
        yield Booted(mode, release.ingress(images["NGINX_IMAGE"]), Mailpit(mail), release)


@pytest.fixture(scope="module")
def topology(booted):
    return booted


def test_every_workload_runs_as_rendered_and_its_probes_pass(booted):
    booted.release.probes_pass()


def test_dumb_init_is_pid_1_of_every_app_container(booted, images):
    """The chart picks each process with `args`: the image's ENTRYPOINT stays PID 1 and
    hands SIGTERM on to the process it runs."""
    app = [
        (name, container)
        for name, container in booted.release.started
        if container["image"] == images["TOURISM_IMAGE"]
    ]
    assert app
    for name, container in app:
        pid_1 = docker("exec", name, "cat", "/proc/1/cmdline").split("\0")
        assert pid_1[:2] == ["dumb-init", "--"], (name, pid_1)
        assert pid_1[2:-1] == container["args"], name


def test_helm_test_pod_passes(booted):
    booted.release.helm_test()
