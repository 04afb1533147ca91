"""Real containers for the deploy tests: a Docker engine, the images, compose projects.

The engine already running is used as it is (a developer's Docker). Without one, and as
root, Debian's ``dockerd`` is started for the test session and stopped after it. Each
compose project has a name of its own, publishes only free loopback ports and is taken
down with its volumes afterwards.
"""

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy.local.processes import free_port
from tests.conftest import require
from tests.deploy.booted import reached_in
from tests.deploy.tools import COMPOSE_DIR, binary, compose_config, compose_files
from tests.messaging import wait_until

# Debian's engine on a machine without a bridge firewall: no iptables rules, and published
# ports through docker-proxy on loopback.
DOCKERD = ["dockerd", "--iptables=false", "--ip-forward=false", "--storage-driver=overlay2"]
PUBLISHED_PORTS = ("GATEWAY_PORT", "MAILPIT_PORT", "RABBITMQ_MANAGEMENT_PORT")


def engine_answers() -> bool:
    result = subprocess.run(["docker", "info"], capture_output=True, timeout=30, check=False)
    return result.returncode == 0


def running_containers() -> list[str]:
    listed = subprocess.run(
        ["docker", "ps", "--quiet"], capture_output=True, text=True, check=False
    )
    return listed.stdout.split()


@contextlib.contextmanager
def docker_engine() -> Iterator[None]:
    """The running engine, or one started here and stopped afterwards."""
    require(shutil.which("docker") is not None, "needs the Docker CLI (make docker)")
    if engine_answers():
        yield
        return
    require(
        shutil.which("dockerd") is not None and os.geteuid() == 0,
        "needs a running Docker engine, or root and dockerd to start one (make docker)",
    )
    with tempfile.TemporaryFile() as log:
        engine = subprocess.Popen(DOCKERD, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until(engine_answers, timeout=60, interval=0.5, what="the Docker engine")
            yield
        finally:
            if not running_containers():  # another test run may have come to use it
                engine.terminate()
                engine.wait(timeout=60)


class Mailpit:
    """Mailpit's message list (or the stand-in's), shaped like deploy.local.smtp_sink.SmtpSink's."""

    def __init__(self, url: str):
        self.url = url

    @property
    def messages(self) -> list[dict]:
        listed = httpx.get(f"{self.url}/api/v1/messages", timeout=10).json()["messages"]
        return [
            {
                "Subject": message["Subject"],
                "To": ", ".join(to["Address"] for to in message["To"]),
            }
            for message in reversed(listed)
        ]


@dataclass
class ComposeProject:
    """One `docker compose` project: the files of a COMPOSE_COMBINATIONS entry, a unique
    name, the given images and free loopback ports."""

    combination: str
    images: dict[str, str]
    directory: Path = COMPOSE_DIR
    name: str = field(default_factory=lambda: f"tourism-test-{uuid.uuid4().hex[:8]}")
    ports: dict[str, int] = field(
        default_factory=lambda: {variable: free_port() for variable in PUBLISHED_PORTS}
    )

    @property
    def mode(self) -> str:
        return self.combination.split("-")[0]

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['GATEWAY_PORT']}"

    @property
    def mailpit(self) -> Mailpit:
        return Mailpit(f"http://127.0.0.1:{self.ports['MAILPIT_PORT']}")

    def compose(self, *args: str, timeout: float = 600) -> str:
        files = compose_files(self.combination)
        result = subprocess.run(
            [binary("docker-compose"), "--project-name", self.name, *files, *args],
            cwd=self.directory,
            env=os.environ | self.images | {name: str(port) for name, port in self.ports.items()},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        progress = ("Creating", "Created", "Starting", "Started", "Waiting", "Healthy", "IPv4")
        errors = [
            line
            for line in result.stderr.splitlines()
            if not line.strip().startswith(progress) and "IPv4" not in line
        ]
        assert result.returncode == 0, f"compose {' '.join(args)}:\n" + "\n".join(errors[-60:])
        return result.stdout

    def up(self, *services: str) -> None:
        """Start and wait until every service is healthy and every one-shot job is done."""
        try:
            self.compose("up", "--detach", "--wait", "--wait-timeout", "420", *services)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.compose('logs', '--tail', '30')}") from None

    def database_url(self, name: str) -> str:
        """Database `name` as this machine reaches it, with the credentials the apps use."""
        services = compose_config(self.combination)["services"]
        (url,) = {
            environment["DATABASE_URL"]
            for service in services.values()
            for environment in [service.get("environment") or {}]
            if environment.get("DATABASE_URL", "").endswith(f"/{name}")
        }
        return reached_in(self.compose("ps", "--quiet", "postgres").strip(), url)

    def down(self, *, volumes: bool = False) -> None:
        self.compose("down", "--remove-orphans", "--timeout", "20", *(["-v"] if volumes else []))

    def containers(self) -> dict[str, dict]:
        """Service name -> the state `docker compose ps --all` reports."""
        lines = self.compose("ps", "--all", "--format", "json").splitlines()
        listed = [json.loads(line) for line in lines if line.strip()]
        flat = [
            item for entry in listed for item in (entry if isinstance(entry, list) else [entry])
        ]
        return {container["Service"]: container for container in flat}

    def volumes(self) -> list[str]:
        result = subprocess.run(
            [
                "docker",
                "volume",
                "ls",
                "--quiet",
                "--filter",
                f"label=com.docker.compose.project={self.name}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout.split()

    def __enter__(self) -> "ComposeProject":
        return self

    def __exit__(self, *exc) -> None:
        self.down(volumes=True)


def running(
    combination: str, images: dict[str, str], *, only: tuple[str, ...] = (), **options
) -> Iterator[ComposeProject]:
    """A started compose project (every service, or `only` these and their dependencies),
    taken down with its volumes afterwards."""
    with ComposeProject(combination, images, **options) as project:
        project.up(*only)
        yield project
