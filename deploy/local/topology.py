"""The services topology (or the monolith behind the same gateway) on this machine.

Used by ``make services`` (``python -m deploy.local.services``) and by the end-to-end tests:
it creates the databases on the local PostgreSQL, migrates them (identity once), seeds demo
data, then starts every process of every profile (``config.environment.PROCESSES``) and the
nginx gateway (``deploy/nginx/gateway.conf.template``), each with exactly the environment
its profile reads (``config.environment.required``), and reports ready only when every
process is. A process that exits while it should be running is started again, as compose
(``restart: unless-stopped``) and Kubernetes do: after 1 s, then twice as long each time in
a row, at most 30 s; never while it is being stopped.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import httpx
import psycopg
import redis
from kombu import Connection

from config.environment import APPS, PROCESSES, required, service_url
from deploy.local.storefront import DIST as STOREFRONT_DIST
from deploy.local.storefront import StorefrontError, ensure_built

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_TEMPLATE = ROOT / "deploy" / "nginx" / "gateway.conf.template"
STOREFRONT_TEMPLATE = ROOT / "deploy" / "nginx" / "storefront.conf.template"
DEFAULT_PORTS = (
    {"gateway": 8080, "monolith": 8000}
    | {app: 8001 + index for index, app in enumerate(APPS)}
    | {"storefront": 8001 + len(APPS)}
)
# Run as root, nginx would start its worker as "nobody", which cannot write its temporary
# files (request bodies over 16 KB) in the runner's private directory: the worker stays root.
NGINX_MAIN = """\
$user_directive
worker_processes 1;
pid $prefix/nginx.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
    client_body_temp_path $prefix/client_body;
    proxy_temp_path $prefix/proxy;
    fastcgi_temp_path $prefix/fastcgi;
    uwsgi_temp_path $prefix/uwsgi;
    scgi_temp_path $prefix/scgi;
    include $prefix/gateway.conf;
    include $prefix/storefront.conf;
}
"""


# What a process takes from the shell that starts it: how to find programs and where to
# write, never configuration (that comes only from Topology.environment).
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
RESTART_FIRST_SECONDS = 1.0
RESTART_MAX_SECONDS = 30.0
STABLE_SECONDS = 60.0  # a process that ran this long restarts after the first delay again


def base_environment() -> dict[str, str]:
    return {name: os.environ[name] for name in INHERITED if name in os.environ}


class TopologyError(RuntimeError):
    """Something the topology needs is missing; the message says what to do."""


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    ready: Callable[["Process"], bool]
    popen: subprocess.Popen | None = None
    output: list[str] = field(default_factory=list)
    wanted: bool = False  # should be running: restarted when it exits
    restarts: int = 0  # in a row, for the backoff
    started_at: float = 0.0
    pump: threading.Thread | None = None

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


def http_ready(url: str) -> Callable[[Process], bool]:
    def check(process: Process) -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(url, timeout=1).status_code == 200
        return False

    return check


def log_ready(text: str) -> Callable[[Process], bool]:
    return lambda process: any(text in line for line in process.output)


class Topology:
    def __init__(
        self,
        mode: str = "services",
        *,
        ports: dict[str, int] | None = None,
        database_prefix: str = "tourism_local",
        postgres_url: str = "postgres://postgres@127.0.0.1:5432",
        broker_url: str = "amqp://guest:guest@127.0.0.1:5672//",
        redis_url: str = "redis://127.0.0.1:6379/0",
        email_url: str = "consolemail://",
        queue_prefix: str | None = None,
        gateway_rate_limit: str = "20r/s",
        gateway_rate_burst: int = 40,
        gateway_catalog_cache: bool = True,
        extra_env: dict[str, str] | None = None,
        echo: Callable[[str], None] = print,
    ):
        if mode not in ("services", "monolith"):
            raise TopologyError(f"Unknown mode {mode!r}: use services or monolith.")
        self.mode = mode
        self.ports = {**DEFAULT_PORTS, **(ports or {})}
        self.database_prefix = database_prefix
        self.postgres_url = postgres_url.rstrip("/")
        self.broker_url = broker_url
        self.redis_url = redis_url
        # Rate limit counters of this run only, in the shared Redis.
        self.cache_url = f"{redis_url}?key_prefix={database_prefix}"
        self.email_url = email_url
        # Two runs on one broker neither share queues nor clash on worker node names.
        self.queue_prefix = f"{database_prefix}." if queue_prefix is None else queue_prefix
        self.run_id = uuid.uuid4().hex[:8]
        self.gateway_rate_limit = gateway_rate_limit
        self.gateway_rate_burst = gateway_rate_burst
        self.gateway_catalog_cache = gateway_catalog_cache
        self.extra_env = extra_env or {}
        self.echo = echo
        self.workdir = Path(tempfile.mkdtemp(prefix=f"tourism-{mode}-"))
        self.processes: dict[str, Process] = {}
        self._lock = threading.Lock()  # between starting/stopping and restarting

    # --- where things are ---------------------------------------------------------------

    @property
    def profiles(self) -> tuple[str, ...]:
        return APPS if self.mode == "services" else ("monolith",)

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def url(self, profile: str) -> str:
        return f"http://127.0.0.1:{self.ports[profile]}"

    def database(self, name: str) -> str:
        return f"{self.database_prefix}_{name}"

    def database_url(self, name: str) -> str:
        return f"{self.postgres_url}/{self.database(name)}"

    def environment(self, profile: str) -> dict[str, str]:
        """Exactly what ``profile`` reads (config/environment.py), for this machine."""
        env = {
            "DJANGO_SETTINGS_MODULE": f"config.settings.{profile}",
            "DJANGO_SECRET_KEY": "local-services-only-not-a-secret-" + "x" * 20,
            "DJANGO_DEBUG": "1",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_CSRF_TRUSTED_ORIGINS": self.gateway_url,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": self.database_url(profile),
            "CELERY_BROKER_URL": self.broker_url,
            "CACHE_URL": self.cache_url,
            "SERVICE_TOKEN": "local-services-token",
            "EMAIL_URL": self.email_url,
            "PUBLIC_BASE_URL": self.gateway_url,
            "PAYMENT_GATEWAY": "sandbox",
            "PAYMENT_GATEWAY_API_KEY": "",
        }
        if profile != "monolith":
            env["IDENTITY_DATABASE_URL"] = self.database_url("identity")
            env |= {service_url(app): self.url(app) for app in APPS if app != profile}
        env = {name: value for name, value in env.items() if name in required(profile)}
        missing = required(profile) - set(env)
        if missing:
            raise TopologyError(f"The {profile} profile needs {sorted(missing)}.")
        if self.queue_prefix:
            env["CELERY_QUEUE_PREFIX"] = self.queue_prefix
        return env | self.extra_env

    # --- preparing ----------------------------------------------------------------------

    def check_dependencies(self) -> None:
        try:
            psycopg.connect(f"{self.postgres_url}/postgres", connect_timeout=3).close()
        except psycopg.Error as exc:
            raise TopologyError(
                f"PostgreSQL is not reachable at {self.postgres_url} ({exc}). Start it "
                "(pg_ctlcluster <version> main start) or pass --postgres-url."
            ) from exc
        try:
            with Connection(self.broker_url, connect_timeout=3) as connection:
                connection.ensure_connection(max_retries=1, timeout=3)
        except Exception as exc:  # kombu raises many kinds; any of them means "not there"
            raise TopologyError(
                f"RabbitMQ is not reachable at {self.broker_url} ({exc}). Start it "
                "(rabbitmq-server -detached) or pass --broker-url."
            ) from exc
        try:
            redis.Redis.from_url(self.redis_url, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            raise TopologyError(
                f"Redis is not reachable at {self.redis_url} ({exc}). Start it "
                "(redis-server --daemonize yes) or pass --redis-url."
            ) from exc
        if not shutil.which("nginx"):
            raise TopologyError("nginx is not installed: apt-get install -y nginx-light")

    def create_databases(self) -> None:
        names = [*self.profiles, "identity"] if self.mode == "services" else ["monolith"]
        with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True) as connection:
            existing = {
                row[0] for row in connection.execute("SELECT datname FROM pg_database").fetchall()
            }
            for name in names:
                if self.database(name) not in existing:
                    self.echo(f"Creating database {self.database(name)}")
                    connection.execute(f'CREATE DATABASE "{self.database(name)}"')

    def drop_databases(self) -> None:
        names = [*self.profiles, "identity"] if self.mode == "services" else ["monolith"]
        with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.database(name)}" WITH (FORCE)')

    def manage(self, profile: str, *args: str) -> None:
        self.echo(f"[{profile}] manage.py {' '.join(args)}")
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**base_environment(), **self.environment(profile)},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise TopologyError(f"manage.py {' '.join(args)} ({profile}) failed:\n{result.stderr}")

    def prepare(self) -> None:
        """The storefront's build, databases, migrations (identity first, once), demo data
        and a staff login."""
        self.check_dependencies()
        try:
            ensure_built()
        except StorefrontError as exc:
            raise TopologyError(str(exc)) from exc
        self.create_databases()
        front = self.profiles[0]  # catalog in services mode: it owns the demo data
        for profile in self.profiles:
            self.manage(profile, "migrate_service")
        self.manage(front, "seed_demo")
        self.manage(front, "ensure_staff")

    # --- running ------------------------------------------------------------------------

    def _process(self, profile: str, kind: str) -> Process:
        env = self.environment(profile)
        name = profile if kind == "web" else f"{profile}-{kind}"
        if kind == "web":
            env |= {"HOST": "127.0.0.1", "PORT": str(self.ports[profile])}
            env.setdefault("WEB_CONCURRENCY", "1")
            env.setdefault("GUNICORN_THREADS", "4")
            argv = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
            return Process(name, argv, env, http_ready(f"{self.url(profile)}/readyz"))
        if kind == "worker":
            argv = [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "INFO"]
            argv += ["--concurrency", "1", "-n", f"{name}.{self.run_id}@%h"]
            return Process(name, argv, env, log_ready(" ready."))
        if kind == "beat":
            schedule = str(self.workdir / f"{name}-schedule")
            argv = [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO"]
            return Process(name, [*argv, "--schedule", schedule], env, log_ready("beat: Starting"))
        argv = [sys.executable, "manage.py", "outbox_relay"]
        return Process(name, argv, env, log_ready("Outbox relay started"))

    def _gateway(self) -> Process:
        upstreams = {f"{app.upper()}_UPSTREAM": f"127.0.0.1:{self.ports[app]}" for app in APPS}
        if self.mode == "monolith":
            upstreams = dict.fromkeys(upstreams, f"127.0.0.1:{self.ports['monolith']}")
        storefront = f"127.0.0.1:{self.ports['storefront']}"
        conf = Template(GATEWAY_TEMPLATE.read_text()).safe_substitute(
            GATEWAY_LISTEN=f"127.0.0.1:{self.ports['gateway']}",
            STOREFRONT_UPSTREAM=storefront,
            GATEWAY_RATE_LIMIT=self.gateway_rate_limit,
            GATEWAY_RATE_BURST=str(self.gateway_rate_burst),
            GATEWAY_CATALOG_CACHE="catalog" if self.gateway_catalog_cache else "off",
            **upstreams,
        )
        (self.workdir / "gateway.conf").write_text(conf)
        # The storefront's own server, in the same nginx (in containers: its own).
        shop = Template(STOREFRONT_TEMPLATE.read_text()).safe_substitute(
            STOREFRONT_LISTEN=storefront, STOREFRONT_ROOT=str(STOREFRONT_DIST)
        )
        (self.workdir / "storefront.conf").write_text(shop)
        main = Template(NGINX_MAIN).substitute(
            prefix=self.workdir, user_directive="user root;" if os.getuid() == 0 else ""
        )
        (self.workdir / "nginx.conf").write_text(main)
        argv = ["nginx", "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf")]
        argv += ["-g", "daemon off;"]
        return Process("gateway", argv, {}, http_ready(f"{self.gateway_url}/healthz"))

    def plan(self) -> list[Process]:
        processes = [
            self._process(profile, kind) for profile in self.profiles for kind in PROCESSES[profile]
        ]
        return [*processes, self._gateway()]

    def start(self, name: str | None = None) -> None:
        """Start every process (or one, by name), then wait until they are ready."""
        if not self.processes:
            self.processes = {process.name: process for process in self.plan()}
        chosen = [self.processes[name]] if name else list(self.processes.values())
        for process in chosen:
            with self._lock:
                process.wanted = True
                if not process.running():
                    self._spawn(process)
        self.wait_ready(chosen)

    def _spawn(self, process: Process) -> None:
        process.output.clear()
        process.popen = subprocess.Popen(
            process.argv,
            cwd=ROOT,
            env={**base_environment(), **process.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        process.started_at = time.monotonic()
        process.pump = threading.Thread(
            target=self._pump, args=(process, process.popen), daemon=True
        )
        process.pump.start()

    def _pump(self, process: Process, popen: subprocess.Popen) -> None:
        """Echo the process's output; when it exits unasked, start it again."""
        for line in popen.stdout:
            process.output.append(line.rstrip())
            self.echo(f"{process.name:>22} | {line.rstrip()}")
        popen.wait()
        if not process.wanted:
            return
        ran_long = time.monotonic() - process.started_at >= STABLE_SECONDS
        process.restarts = 1 if ran_long else process.restarts + 1
        delay = min(RESTART_FIRST_SECONDS * 2 ** (process.restarts - 1), RESTART_MAX_SECONDS)
        self.echo(f"{process.name:>22} | exited ({popen.returncode}); restarting in {delay:.0f} s")
        deadline = time.monotonic() + delay
        while process.wanted and time.monotonic() < deadline:
            time.sleep(0.1)
        with self._lock:
            if process.wanted and process.popen is popen:  # not stopped nor started meanwhile
                self._spawn(process)

    def wait_ready(self, processes: list[Process], timeout: float = 60) -> float:
        started = time.monotonic()
        waiting = list(processes)
        while waiting:
            for process in list(waiting):
                if not process.running():
                    tail = "\n".join(process.output[-30:])
                    raise TopologyError(f"{process.name} exited:\n{tail}")
                if process.ready(process):
                    waiting.remove(process)
            if time.monotonic() - started > timeout:
                names = ", ".join(process.name for process in waiting)
                raise TopologyError(f"Not ready after {timeout:.0f}s: {names}")
            time.sleep(0.1)
        return time.monotonic() - started

    def stop(self, name: str | None = None) -> None:
        """Stop every process (or one, by name): SIGTERM, then SIGKILL after 10 s."""
        chosen = [self.processes[name]] if name else list(self.processes.values())
        for process in chosen:
            with self._lock:
                process.wanted = False
            if process.running():
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, 15)
        for process in chosen:
            if process.popen is None:
                continue
            try:
                process.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.popen.pid, 9)
                process.popen.wait()
            process.pump.join()  # its output is complete and it will not be restarted

    def __enter__(self) -> "Topology":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
