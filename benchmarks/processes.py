"""Processes of the topology under test (gunicorn, Celery, the outbox relay), started
with production-like settings, timed to readiness, measured for memory, and stopped."""

import contextlib
import os
import re
import secrets
import socket
import string
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024
GATEWAY_APPS = ("CATALOG", "BOOKINGS", "PAYMENTS", "NOTIFICATIONS")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


CONTRACT = re.compile(
    r"^(DJANGO_|CELERY_|DATABASE_|IDENTITY_|EMAIL_|SERVICE_|PAYMENT_|OUTBOX_|BOOKING_|SEAT_"
    r"|TASK_|PUBLIC_BASE_URL)|_SERVICE_URL$"
)


def inherited_env() -> dict[str, str]:
    """This process's environment without the configuration contract's variables, so that
    a process under test gets exactly what the harness gives it (WEB_CONCURRENCY and
    GUNICORN_THREADS still pass through, to benchmark other worker settings)."""
    return {name: value for name, value in os.environ.items() if not CONTRACT.search(name)}


def production_env(**overrides: str) -> dict[str, str]:
    """DEBUG off with a throwaway secret; plain HTTP on loopback, so no TLS redirect."""
    return {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
        **overrides,
    }


def memory_mib(pid: int) -> dict[str, float]:
    """Resident (RSS) and proportional (PSS, shared pages split between sharers) memory."""
    figures = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("Rss", "Pss"):
                figures[f"{name.lower()}_mib"] = round(int(value.split()[0]) * 1024 / MIB, 1)
    return figures


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text()
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return sorted(found)


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    started: float
    base_url: str = ""
    ready_seconds: float | None = None
    memory: dict = field(default_factory=dict)

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(
                f"{self.name} exited with {self.popen.returncode}; its log ({self.log}):\n"
                + self.log.read_text()[-3000:]
            )

    def measure_memory(self) -> dict:
        """Memory of the master and of each worker (its child processes), in MiB."""
        self.memory = {
            "master": memory_mib(self.popen.pid),
            "workers": [memory_mib(child) for child in children(self.popen.pid)],
        }
        return self.memory


class Topology:
    """Starts processes, keeps their logs in ``log_dir`` and stops them all on exit."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.processes: list[Process] = []
        log_dir.mkdir(parents=True, exist_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        for process in reversed(self.processes):
            self.stop(process)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> Process:
        log = self.log_dir / f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.log"
        with log.open("w") as output:
            popen = subprocess.Popen(  # noqa: S603 - commands built by this harness
                command,
                cwd=ROOT,
                env={**inherited_env(), **env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        process = Process(name, popen, log, time.perf_counter())
        self.processes.append(process)
        return process

    def web(self, name: str, env: dict[str, str], *, port: int | None = None) -> Process:
        """gunicorn with the project's config (its workers and threads, unless the
        environment sets WEB_CONCURRENCY or GUNICORN_THREADS); returns once ``/readyz``
        answers 200."""
        port = port or free_port()
        process = self.start(
            name,
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
            {**env, "HOST": "127.0.0.1", "PORT": str(port)},
        )
        process.base_url = f"http://127.0.0.1:{port}"
        process.ready_seconds = wait_ready(process, f"{process.base_url}/readyz")
        return process

    def gateway(self, name: str, upstream: str, workdir: Path) -> Process:
        """The product's nginx gateway (deploy/nginx/gateway.conf.template, micro-cache on,
        no rate limit) in front of ``upstream`` (host:port) for every app, as the
        monolith's gateway runs; returns once its ``/healthz`` answers."""
        from deploy.local.topology import GATEWAY_TEMPLATE, NGINX_MAIN

        port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "gateway.conf").write_text(
            string.Template(GATEWAY_TEMPLATE.read_text()).safe_substitute(
                GATEWAY_LISTEN=f"127.0.0.1:{port}",
                GATEWAY_RATE_LIMIT="100000r/s",
                GATEWAY_RATE_BURST="100000",
                GATEWAY_CATALOG_CACHE="catalog",
                STOREFRONT_UPSTREAM=upstream,
                **{f"{app}_UPSTREAM": upstream for app in GATEWAY_APPS},
            )
        )
        (workdir / "storefront.conf").write_text("")
        user = "user root;" if os.getuid() == 0 else ""
        main = string.Template(NGINX_MAIN).substitute(prefix=workdir, user_directive=user)
        (workdir / "nginx.conf").write_text(main)
        argv = ["nginx", "-p", str(workdir), "-c", str(workdir / "nginx.conf")]
        process = self.start(name, [*argv, "-g", "daemon off;"], {})
        process.base_url = f"http://127.0.0.1:{port}"
        process.ready_seconds = wait_ready(process, f"{process.base_url}/healthz")
        return process

    def stop(self, process: Process) -> None:
        if process.popen.poll() is None:
            process.popen.terminate()
            try:
                process.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()
        if process in self.processes:
            self.processes.remove(process)


def wait_ready(process: Process, url: str, timeout: float = 60) -> float:
    """Seconds from the process's start until ``url`` answered 200."""
    deadline = time.perf_counter() + timeout
    with httpx.Client(timeout=2) as client:
        while time.perf_counter() < deadline:
            process.check_alive()
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url).status_code == 200:
                    return round(time.perf_counter() - process.started, 3)
            time.sleep(0.02)
    raise RuntimeError(
        f"{process.name} was not ready at {url} within {timeout}s: see {process.log}"
    )
