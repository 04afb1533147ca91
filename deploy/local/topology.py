"""The services topology (or the monolith behind the same gateway) on this machine.

Used by ``make services`` (``python -m deploy.local.services``), the tests and the
benchmark: it creates the databases on the local PostgreSQL, migrates them (identity
once), seeds demo data, then starts every process of every profile
(``config.environment.PROCESSES``) and the nginx gateway
(``deploy/nginx/gateway.conf.template``), each with exactly the environment its profile
reads (``config.environment.required``), and reports ready only when every process is.
Each process is a :class:`deploy.local.processes.Process`: restarted when it exits
unasked (``restart=True``, the default), its output kept bounded. ``stop()`` stops them
one by one in the reverse order of their start: the gateway first, so no request reaches
a process that is going away.

A hybrid (``mode="monolith"`` with ``extracted`` apps) runs the monolith with those apps
in ``REMOTE_APPS``, and each of them as a service on its own database whose identity
database is the monolith's. :meth:`Topology.extract` moves one more app out of a running
topology without dropping a request: it starts the app's service, points the gateway at
it (``nginx -s reload``, graceful), then restarts the monolith's processes one at a time
with the new ``REMOTE_APPS`` (a new web process on a new port before the old one stops).
:meth:`Topology.merge_back` is its reverse: the monolith restarted with the app again,
the gateway back on it, then the app's service stopped. The last app out makes it
services mode (the monolith's processes stop; identity stays in its database), and
merging an app back from there starts the monolith again.
Services reach the apps the monolith serves through the runner's internal edge (an nginx
server that proxies ``/internal/``, as a Kubernetes Service would), so the monolith's
new port changes nothing for them.

A test or the benchmark can also start single processes (:meth:`Topology.launch`), on
databases of its own (``database_url``: one database for every profile) with options for
what differs: DEBUG off (``debug=False``), queue prefix, ports, the table's concurrency
as deployed (``concurrency=None``).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from string import Template

import psycopg
import redis
from kombu import Connection

from config.environment import APPS, COMMANDS, processes, remote_apps, required, service_url
from deploy.local.processes import ROOT, Process, ProcessError, base_environment, free_port
from deploy.local.storefront import DIST as STOREFRONT_DIST
from deploy.local.storefront import StorefrontError, ensure_built

GATEWAY_TEMPLATE = ROOT / "deploy" / "nginx" / "gateway.conf.template"
STOREFRONT_TEMPLATE = ROOT / "deploy" / "nginx" / "storefront.conf.template"
DEFAULT_PORTS = (
    {"gateway": 8080, "monolith": 8000}
    | {app: 8001 + index for index, app in enumerate(APPS)}
    | {"storefront": 8001 + len(APPS), "internal": 8090}
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
    include $prefix/internal.conf;
}
"""
# The internal edge of a hybrid: services call the apps the monolith serves here, at an
# address that stays put while the monolith moves to a new port (the gateway's upstreams).
INTERNAL_SERVER = """\
server {
    listen $listen;
    access_log off;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $$http_host;
    proxy_connect_timeout 3s;
    proxy_read_timeout 30s;
$locations
}
"""


# This machine's own, never a deployment's.
LOCAL_SECRET_KEY = "local-services-only-not-a-secret-" + "x" * 20
LOCAL_SERVICE_TOKEN = "local-services-token"  # noqa: S105 - this machine only
READY_TEXT = {"worker": " ready.", "beat": "beat: Starting", "relay": "Outbox relay started"}


def free_ports() -> dict[str, int]:
    """A free loopback port for everything the topology listens on (a run of its own),
    a different one each: the system may hand out again a port it just gave."""
    ports: dict[str, int] = {}
    for name in DEFAULT_PORTS:
        while (port := free_port()) in ports.values():
            continue
        ports[name] = port
    return ports


def local_argv(argv: tuple[str, ...]) -> list[str]:
    """A table command (``config.environment.COMMANDS``) run by this Python: ``python``
    itself, any other program as its module."""
    program, *args = argv
    return [sys.executable, *(() if program == "python" else ("-m", program)), *args]


def command(
    kind: str, *, node: str, schedule: Path, concurrency: int | None
) -> tuple[list[str], dict[str, str]]:
    """How a process of ``kind`` starts: its command line and the environment that sets
    its concurrency. ``concurrency`` is the number of gunicorn workers or Celery worker
    processes (None: as deployed, ``config/environment.py``'s table). Threads are what
    ``config/gunicorn.py`` decides (bookings only). A Celery worker is named ``node`` and
    neither gossips nor mingles with other runs on the same broker; beat keeps its
    schedule in ``schedule``."""
    if kind not in COMMANDS:
        raise TopologyError(f"Unknown process {kind!r}: use {', '.join(COMMANDS)}.")
    argv, env = local_argv(COMMANDS[kind]), {}
    if kind == "web" and concurrency is not None:
        env["WEB_CONCURRENCY"] = str(concurrency)
    if kind == "worker":
        if concurrency is not None:
            env["CELERY_WORKER_CONCURRENCY"] = str(concurrency)
        argv += ["-n", node, "--without-gossip", "--without-mingle"]
    if kind == "beat":
        argv += ["--schedule", str(schedule)]  # the last --schedule wins
    return argv, env


def nginx_workers(master: int) -> set[int]:
    result = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
    return {int(pid) for pid in result.stdout.split()}


class TopologyError(RuntimeError):
    """Something the topology needs is missing or did not start; the message says what."""


class Topology:
    def __init__(
        self,
        mode: str = "services",
        *,
        extracted: tuple[str, ...] = (),
        ports: dict[str, int] | None = None,
        database_prefix: str = "tourism_local",
        database_url: str | None = None,
        postgres_url: str = "postgres://postgres@127.0.0.1:5432",
        broker_url: str = "amqp://guest:guest@127.0.0.1:5672//",
        redis_url: str = "redis://127.0.0.1:6379/0",
        email_url: str = "consolemail://",
        queue_prefix: str | None = None,
        debug: bool = True,
        secret_key: str = LOCAL_SECRET_KEY,
        service_token: str = LOCAL_SERVICE_TOKEN,
        concurrency: int | None = 1,
        gateway_rate_limit: str = "20r/s",
        gateway_rate_burst: int = 40,
        gateway_catalog_cache: bool = True,
        extra_env: dict[str, str] | None = None,
        restart: bool = True,
        log_dir: Path | None = None,
        echo: Callable[[str], None] | None = print,
    ):
        if mode not in ("services", "monolith"):
            raise TopologyError(f"Unknown mode {mode!r}: use services or monolith.")
        if extracted and mode != "monolith":
            raise TopologyError("Only the monolith has apps extracted: use --mode monolith.")
        try:
            self.extracted = remote_apps(",".join(extracted))
        except ValueError as exc:
            raise TopologyError(str(exc)) from exc
        self.mode = mode
        self.ports = {**DEFAULT_PORTS, **(ports or {})}
        self.database_prefix = database_prefix
        self.shared_database_url = database_url  # every profile on this one database
        self.postgres_url = postgres_url.rstrip("/")
        self.broker_url = broker_url
        self.redis_url = redis_url
        # Rate limit counters of this run only, in the shared Redis.
        self.cache_url = f"{redis_url}?key_prefix={database_prefix}"
        self.email_url = email_url
        # Two runs on one broker neither share queues nor clash on worker node names.
        self.queue_prefix = f"{database_prefix}." if queue_prefix is None else queue_prefix
        self.debug, self.secret_key, self.service_token = debug, secret_key, service_token
        self.concurrency = concurrency
        self.gateway_rate_limit = gateway_rate_limit
        self.gateway_rate_burst = gateway_rate_burst
        self.gateway_catalog_cache = gateway_catalog_cache
        self.extra_env = extra_env or {}
        self.restart, self.log_dir, self.echo = restart, log_dir, echo
        self.workdir = Path(tempfile.mkdtemp(prefix=f"tourism-{mode}-"))
        self.processes: dict[str, Process] = {}
        self.retired: tuple[str, ...] = ()  # apps moved back: their databases stay, frozen

    # --- where things are ---------------------------------------------------------------

    @property
    def profiles(self) -> tuple[str, ...]:
        return APPS if self.mode == "services" else ("monolith", *self.extracted)

    def serves(self, app: str) -> str:
        """The profile whose web process serves ``app``."""
        return "monolith" if self.mode == "monolith" and app not in self.extracted else app

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def url(self, profile: str) -> str:
        return f"http://127.0.0.1:{self.ports[profile]}"

    def database(self, name: str) -> str:
        return f"{self.database_prefix}_{name}"

    @property
    def identity(self) -> str:
        """The database that holds identity: the monolith's in a hybrid, and still once
        every app has moved out of it (services mode reached by extraction)."""
        return "monolith" if self.mode == "monolith" or self.extracted else "identity"

    def database_url(self, name: str) -> str:
        if name == "identity":
            name = self.identity
        return self.shared_database_url or f"{self.postgres_url}/{self.database(name)}"

    def peer_url(self, app: str) -> str:
        """Where a service calls ``app``: its own service, or the internal edge in front
        of the monolith."""
        if self.serves(app) == "monolith":
            return f"http://127.0.0.1:{self.ports['internal']}"
        return self.url(app)

    def environment(self, profile: str) -> dict[str, str]:
        """Exactly what ``profile`` reads (config/environment.py), for this machine."""
        env = {
            "DJANGO_SETTINGS_MODULE": f"config.settings.{profile}",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_DEBUG": "1" if self.debug else "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_CSRF_TRUSTED_ORIGINS": self.gateway_url,
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": self.database_url(profile),
            "CELERY_BROKER_URL": self.broker_url,
            "CACHE_URL": self.cache_url,
            "SERVICE_TOKEN": self.service_token,
            "EMAIL_URL": self.email_url,
            "PUBLIC_BASE_URL": self.gateway_url,
            "PAYMENT_GATEWAY": "sandbox",
            "PAYMENT_GATEWAY_API_KEY": "",
        }
        if profile != "monolith":
            env["IDENTITY_DATABASE_URL"] = self.database_url("identity")
            env |= {service_url(app): self.peer_url(app) for app in APPS if app != profile}
        elif self.extracted:
            env["REMOTE_APPS"] = ",".join(self.extracted)
            env |= {service_url(app): self.url(self.serves(app)) for app in APPS}
        needed = required(profile, self.extracted if profile == "monolith" else ())
        env = {name: value for name, value in env.items() if name in needed}
        missing = needed - set(env)
        if missing:
            raise TopologyError(f"The {profile} profile needs {sorted(missing)}.")
        if self.queue_prefix:
            env["CELERY_QUEUE_PREFIX"] = self.queue_prefix
        return env | self.extra_env

    def shell_environment(self, profile: str) -> dict[str, str]:
        """What a one-off command of ``profile`` (``manage.py ...``) runs with."""
        return {**base_environment(), **self.environment(profile)}

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

    @property
    def database_names(self) -> list[str]:
        return list(dict.fromkeys([*self.profiles, self.identity, *self.retired]))

    def create_databases(self, *, fresh: bool = False) -> None:
        """Each database of the mode that is missing (``fresh``: every one, dropped first)."""
        if fresh:
            self.drop_databases()
        with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True) as connection:
            existing = {
                row[0] for row in connection.execute("SELECT datname FROM pg_database").fetchall()
            }
            for name in self.database_names:
                if self.database(name) not in existing:
                    self._say(f"Creating database {self.database(name)}")
                    connection.execute(f'CREATE DATABASE "{self.database(name)}"')

    def drop_databases(self) -> None:
        with psycopg.connect(f"{self.postgres_url}/postgres", autocommit=True) as connection:
            for name in self.database_names:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.database(name)}" WITH (FORCE)')

    def _say(self, line: str) -> None:
        if self.echo:
            self.echo(line)

    def manage(self, profile: str, *args: str, env: dict[str, str] | None = None) -> None:
        self._say(f"[{profile}] manage.py {' '.join(args)}")
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.shell_environment(profile) | (env or {}),
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
        for profile in self.profiles:
            # The monolith's database has every app's tables, as before any extraction:
            # an extracted app's stay empty there, and find it ready if the app moves back.
            every_app = {"REMOTE_APPS": ""} if profile == "monolith" else None
            self.manage(profile, "migrate_service", env=every_app)
        self.manage(self.serves("catalog"), "seed_demo")  # the catalog owns the demo data
        self.manage(self.profiles[0], "ensure_staff")

    # --- running ------------------------------------------------------------------------

    def process(
        self,
        profile: str,
        kind: str = "web",
        *,
        name: str | None = None,
        port: int | None = None,
        argv: list[str] | None = None,
        env: dict[str, str] | None = None,
    ) -> Process:
        """A process of ``profile`` (not started): ``kind``'s command (or ``argv``) with the
        profile's environment, then ``env``; a web process listens on ``port`` (default:
        the profile's)."""
        name = name or (profile if kind == "web" else f"{profile}-{kind}")
        default_argv, tuning = command(
            kind,
            node=f"{name}.{uuid.uuid4().hex[:8]}@%h",
            schedule=self.workdir / f"{name}-schedule",
            concurrency=self.concurrency,
        )
        environment = self.environment(profile) | tuning
        url = ""
        if kind == "web":
            port = port or self.ports[profile]
            url = f"http://127.0.0.1:{port}"
            environment |= {"HOST": "127.0.0.1", "PORT": str(port)}
        return Process(
            name,
            argv or default_argv,
            environment | (env or {}),
            ready_url=f"{url}/readyz" if url else None,
            ready_text=READY_TEXT.get(kind),
            url=url,
            restart=self.restart,
            echo=self.echo,
        )

    def render_gateway(self) -> None:
        """nginx's servers: the gateway and the internal edge, for where each app is served
        now, and the storefront."""
        upstreams = {
            f"{app.upper()}_UPSTREAM": f"127.0.0.1:{self.ports[self.serves(app)]}" for app in APPS
        }
        front = "monolith" if self.mode == "monolith" else "catalog"
        storefront = f"127.0.0.1:{self.ports['storefront']}"
        conf = Template(GATEWAY_TEMPLATE.read_text()).safe_substitute(
            GATEWAY_LISTEN=f"127.0.0.1:{self.ports['gateway']}",
            STOREFRONT_UPSTREAM=storefront,
            FRONT_UPSTREAM=f"127.0.0.1:{self.ports[front]}",
            GATEWAY_RATE_LIMIT=self.gateway_rate_limit,
            GATEWAY_RATE_BURST=str(self.gateway_rate_burst),
            GATEWAY_CATALOG_CACHE="catalog" if self.gateway_catalog_cache else "off",
            **upstreams,
        )
        (self.workdir / "gateway.conf").write_text(conf)
        locations = "\n".join(
            f"    location /internal/{app}/ {{ proxy_pass http://{app}; }}" for app in APPS
        )
        internal = Template(INTERNAL_SERVER).substitute(
            listen=f"127.0.0.1:{self.ports['internal']}", locations=locations
        )
        (self.workdir / "internal.conf").write_text(internal if self.extracted else "")
        # The storefront's own server, in the same nginx (in containers: its own).
        shop = Template(STOREFRONT_TEMPLATE.read_text()).safe_substitute(
            STOREFRONT_LISTEN=storefront, STOREFRONT_ROOT=str(STOREFRONT_DIST)
        )
        (self.workdir / "storefront.conf").write_text(shop)

    def gateway(self) -> Process:
        """nginx: the gateway in front of the mode's web processes, and the storefront."""
        self.render_gateway()
        main = Template(NGINX_MAIN).substitute(
            prefix=self.workdir, user_directive="user root;" if os.getuid() == 0 else ""
        )
        (self.workdir / "nginx.conf").write_text(main)
        return Process(
            "gateway",
            [*self.nginx, "-g", "daemon off;"],
            {},
            ready_url=f"{self.gateway_url}/healthz",
            url=self.gateway_url,
            restart=self.restart,
            echo=self.echo,
        )

    @property
    def nginx(self) -> list[str]:
        return ["nginx", "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf")]

    def kinds(self, profile: str) -> tuple[str, ...]:
        """The processes ``profile`` runs here (the monolith's, without its remote apps')."""
        return processes(profile, self.extracted if profile == "monolith" else ())

    def plan(self) -> list[Process]:
        planned = [
            self.process(profile, kind) for profile in self.profiles for kind in self.kinds(profile)
        ]
        return [*planned, self.gateway()]

    def start(self, name: str | None = None) -> None:
        """Start every process of the plan (or one, by name), then wait until they are
        ready."""
        if not self.processes:
            self.processes = {process.name: process for process in self.plan()}
        chosen = [self.processes[name]] if name else list(self.processes.values())
        for process in chosen:
            process.start()
        try:
            for process in chosen:
                process.wait_ready()
        except ProcessError as exc:
            raise TopologyError(str(exc)) from exc

    def run(self, process: Process, timeout: float = 60) -> Process:
        """Start one more process (or a stopped one again), ready when this returns."""
        known = self.processes.get(process.name)
        if known is not None and known is not process and known.running():
            raise TopologyError(f"{process.name} is running already")
        self.processes[process.name] = process
        process.start()
        try:
            process.wait_ready(timeout)
        except ProcessError as exc:
            raise TopologyError(str(exc)) from exc
        return process

    def launch(self, profile: str, kind: str = "web", **options) -> Process:
        """:meth:`process` then :meth:`run`."""
        return self.run(self.process(profile, kind, **options))

    # --- moving an app out of the monolith ----------------------------------------------

    def extract(self, app: str) -> None:
        """Serve ``app`` on its own, without dropping a request: migrate its database
        (copying its data is ``manage.py extract_app``'s, before this), start its service,
        route the gateway to it, then restart the monolith with the new ``REMOTE_APPS``.
        The last app out makes it services mode: the monolith's processes stop, its
        database stays every service's identity database."""
        if self.mode != "monolith":
            raise TopologyError("Apps are extracted from the monolith: use --mode monolith.")
        moved = {*self.extracted, app}
        if moved == set(APPS):  # the last one: services mode, the monolith stops
            self.mode, self.extracted = "services", APPS
        else:
            try:
                self.extracted = remote_apps(",".join(moved))
            except ValueError as exc:
                raise TopologyError(str(exc)) from exc
        self.create_databases()
        self.manage(app, "migrate_service")
        for kind in self.kinds(app):
            self.launch(app, kind)
        self.processes["gateway"] = self.processes.pop("gateway")  # still the first to stop
        self.reload_gateway()
        self.restart_monolith()

    def merge_back(self, app: str) -> None:
        """The reverse of :meth:`extract`: serve ``app`` from the monolith again (copying
        its data back is ``manage.py merge_app_back``'s, before this): restart the monolith
        without it in ``REMOTE_APPS`` (started again, from services mode), which routes the
        gateway back to it, then stop the app's service. Its database stays, frozen, until
        the topology's databases are dropped."""
        if app not in self.extracted:
            raise TopologyError(f"{app} is served by the monolith already.")
        self.mode = "monolith"  # also from services mode reached by extraction
        self.extracted = tuple(name for name in self.extracted if name != app)
        self.retired = (*self.retired, app)
        self.restart_monolith()
        for kind in self.kinds(app):
            self.processes.pop(app if kind == "web" else f"{app}-{kind}").stop()

    def reload_gateway(self) -> None:
        """Render the gateway for where each app is served now and reload nginx: new
        connections go there, and this returns once the old workers have finished the
        requests they had."""
        self.render_gateway()
        gateway = self.processes["gateway"]
        before = nginx_workers(gateway.popen.pid)
        subprocess.run([*self.nginx, "-s", "reload"], check=True, capture_output=True)
        deadline = time.monotonic() + 60
        while before & nginx_workers(gateway.popen.pid) or not nginx_workers(gateway.popen.pid):
            if time.monotonic() > deadline:
                raise TopologyError(f"nginx did not reload:\n{gateway.tail()}")
            time.sleep(0.05)

    def restart_monolith(self) -> None:
        """A rolling restart of the monolith's processes with this topology's
        ``REMOTE_APPS``, one at a time: a new web process on a new port, the gateway
        switched to it, then the old one stopped (it finishes its requests); a new worker
        before the old one stops; beat and the relay stopped before their successor starts
        (never two at once). Processes of apps it no longer installs stop."""
        for kind in COMMANDS:
            name = "monolith" if kind == "web" else f"monolith-{kind}"
            old, wanted = self.processes.get(name), kind in self.kinds("monolith")
            if old is not None and kind in ("beat", "relay"):
                old.stop()
            if wanted:
                if kind == "web":
                    self.ports["monolith"] = free_port()
                new = self.process("monolith", kind)
                new.start()
                try:
                    new.wait_ready()
                except ProcessError as exc:
                    raise TopologyError(str(exc)) from exc
                if kind == "web":
                    self.reload_gateway()
            if old is not None:
                old.stop()
            if wanted:
                self.processes[name] = new  # in the old one's place in the stop order
            elif old is not None:
                del self.processes[name]

    def stop(self, name: str | None = None) -> None:
        """Stop every process (or one, by name), in the reverse order of their start:
        SIGTERM, then SIGKILL after 10 s. With ``log_dir``, each one's kept output is
        written there as ``<name>.log``."""
        chosen = [self.processes[name]] if name else list(reversed(self.processes.values()))
        for process in chosen:
            process.stop()
            if self.log_dir is not None:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                slug = re.sub(r"[^a-z0-9]+", "-", process.name.lower()).strip("-")
                (self.log_dir / f"{slug}.log").write_text(process.output.text() + "\n")

    def __enter__(self) -> "Topology":
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
