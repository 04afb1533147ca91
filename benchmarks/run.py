"""``make bench``: start the topology with production-like settings on the local
PostgreSQL and RabbitMQ, load a realistic catalog, drive each scenario from this process
and write ``bench-results/`` (results.json, results.md, latency.png).

``python -m benchmarks.run [--quick] [--out DIR]``; ``BENCH_QUICK=1`` also selects the
quick plan. Databases are ``$BENCH_DB_PREFIX_monolith`` (default prefix
``tourism_bench``), ``$BENCH_DB_PREFIX_<app>`` and ``$BENCH_DB_PREFIX_identity``,
recreated on every run.
"""

import argparse
import datetime
import os
import secrets
import signal
import sys
import time
import traceback
from pathlib import Path

from kombu import Connection

from deploy.local.processes import Process, free_port
from deploy.local.smtp_sink import SmtpSink
from deploy.local.storefront import DIST
from deploy.local.topology import Topology, free_ports

from . import database, dataset, machine, report
from .plan import FULL, QUICK, Plan
from .scenarios import (
    api_schema,
    campaign,
    extraction,
    footprint,
    hot_departure,
    not_run,
    notifications,
    observability,
    read_path,
    storefront,
    write_path,
)

SERVICES = ("catalog", "payments", "notifications", "bookings")  # bookings calls the others
DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
SCENARIOS = (
    "read_path",
    "hot_departure",
    "write_path",
    "campaign",
    "observability",
    "notifications",
    "api_schema",
    "storefront",
    "extraction",
)
# passed on, to compare other settings
TUNING = ("WEB_CONCURRENCY", "GUNICORN_THREADS", "CELERY_WORKER_CONCURRENCY")
SWEEP_SECONDS = 2.0  # the relay's sweep interval (OUTBOX_SWEEP_SECONDS' default)


def broker_unreachable(url: str) -> str | None:
    try:
        with Connection(url, connect_timeout=3) as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # any failure: say which and stop before starting anything
        return f"RabbitMQ at {url} is unreachable: {exc.__class__.__name__}: {exc}"
    return None


class Bench:
    def __init__(self, plan: Plan, out: Path, prefix: str, broker: str):
        self.plan, self.out, self.prefix, self.broker = plan, out, prefix, broker
        self.secret = secrets.token_urlsafe(40)
        self.service_token = secrets.token_urlsafe(24)
        self.scenarios: dict[str, dict] = {}
        self.webs: dict[str, dict] = {}  # footprint of every web process started
        self.celery: dict[str, dict] = {}
        self.monolith_writes: dict | None = None
        self.started = time.perf_counter()

    def topology(self, mode: str) -> Topology:
        """The topology under test, production-like: DEBUG off with a throwaway secret,
        the table's concurrency (or WEB_CONCURRENCY, GUNICORN_THREADS and
        CELERY_WORKER_CONCURRENCY from this shell), no rate limits (500 buyers from one
        address, on purpose), no restarts, each process's last lines in ``logs/``."""
        tuning = {name: os.environ[name] for name in TUNING if name in os.environ}
        return Topology(
            mode,
            ports=free_ports(),
            database_prefix=self.prefix,
            postgres_url=database.server_url(),
            broker_url=self.broker,
            queue_prefix=f"{self.prefix}.",
            email_url=self.sink.url,
            debug=False,
            secret_key=self.secret,
            service_token=self.service_token,
            concurrency=None,
            gateway_rate_limit="100000r/s",
            gateway_rate_burst=100000,
            extra_env={
                "CACHE_URL": "locmemcache://",
                "THROTTLE_RATES": "off",
                "DJANGO_LOG_LEVEL": "WARNING",
                **tuning,
            },
            restart=False,
            log_dir=self.out / "logs",
            echo=None,
        )

    # --- phases --------------------------------------------------------------------------

    def run(self) -> dict:
        started_at = datetime.datetime.now(datetime.UTC)
        with (
            SmtpSink() as self.sink,
            self.topology("monolith") as self.monolith_run,
            self.topology("services") as self.services_run,
        ):
            catalog = self.phase("load the monolith's catalog", self.load_monolith)
            if catalog:
                self.phase("monolith", lambda: self.monolith(catalog))
                self.phase("observability on and off", lambda: self.observability(catalog))
                self.phase("services mode", self.services)
                self.phase("footprint of the stock monolith", lambda: self.stock_monolith())
                self.phase("catalog extraction", self.extraction)
        self.scenarios["footprint"] = footprint.summarize(self.webs, self.celery)
        for name in SCENARIOS:
            self.scenarios.setdefault(
                name, {"status": "error", "reason": "an earlier phase failed"}
            )
        return {
            "meta": {
                "started_at": started_at.isoformat(timespec="seconds"),
                "seconds": round(time.perf_counter() - self.started, 1),
                "quick": self.plan.quick,
                "plan": self.plan.__dict__,
                "machine": machine.describe(),
                "load_generator": (
                    "closed loop: wrk (one thread) for the read path and the campaign's "
                    "reads; asyncio virtual users in the harness process for booking "
                    "journeys and hot departures, each sending its next request when the "
                    "previous answer arrived"
                ),
            },
            "scenarios": self.scenarios,
        }

    def phase(self, name: str, action):
        print(f"== {name} ({time.perf_counter() - self.started:.0f}s)", flush=True)
        try:
            return action()
        except Exception as exc:  # report the failure, carry on with the other phases
            traceback.print_exc()
            self.scenarios.setdefault("errors", []).append(
                f"{name}: {exc.__class__.__name__}: {exc}"
            )
            return None

    def load_monolith(self) -> dataset.Catalog:
        url = self.fresh_databases(self.monolith_run)
        print(f"  loading {self.plan.tours} tours", flush=True)
        return dataset.load(
            url, tours=self.plan.tours, departures_per_tour=self.plan.departures_per_tour
        )

    def fresh_databases(self, topology: Topology) -> str:
        """Every database of the topology dropped, created and migrated (at once); returns
        the URL of the one that holds the catalog."""
        for name in topology.database_names:
            database.recreate(topology.database(name))
        print(f"  migrating every database of the {topology.mode} run", flush=True)
        (self.out / "logs").mkdir(parents=True, exist_ok=True)
        logs = {name: self.out / "logs" / f"migrate-{name}.log" for name in topology.profiles}
        started = {
            name: database.migrate(topology.shell_environment(name), logs[name])
            for name in topology.profiles
        }
        database.wait_all(started, logs)
        return topology.database_url(topology.profiles[0])

    def monolith(self, catalog: dataset.Catalog) -> None:
        server = self.web(
            self.monolith_run,
            "monolith",
            name="monolith (benchmark server)",
            env={"DJANGO_SETTINGS_MODULE": "benchmarks.settings"},
        )
        url = self.monolith_run.database_url("monolith")
        self.scenarios["read_path"] = read_path.run(self.plan, server.url, catalog)
        if reason := write_path.bookings_missing(server.url):
            self.scenarios["hot_departure"] = not_run(reason)
            self.scenarios["write_path"] = not_run(reason)
        else:
            self.scenarios["hot_departure"] = hot_departure.run(self.plan, server.url, url)
            self.monolith_writes = write_path.measure(
                self.plan, server.url, catalog.write_departure_ids, "write path, monolith"
            )
            self.scenarios["write_path"] = write_path.compare(
                self.monolith_writes, None, "services mode did not run"
            )
            self.scenarios["campaign"] = self.campaign(catalog)
        self.finish_web(self.monolith_run, server)

    def campaign(self, catalog: dataset.Catalog) -> dict:
        """Through the product's gateway (micro-cache on, no rate limit) in front of the
        benchmark server."""
        gateway = self.monolith_run.run(self.monolith_run.gateway())
        values = self.scenarios["read_path"].get("endpoints", {}).get("values_baseline", {})
        try:
            return campaign.run(
                self.plan,
                gateway.url,
                tour_slugs=catalog.tour_slugs,
                departure_ids=catalog.write_departure_ids,
                browse_req_per_s=values.get("req_per_s"),
            )
        finally:
            self.monolith_run.stop(gateway.name)

    def observability(self, catalog: dataset.Catalog) -> None:
        """The monolith's booking journeys without and with request metrics and tracing
        (alternated), the spans going to a receiver in a process of its own."""
        topology = self.monolith_run
        port = free_port()
        receiver = topology.run(
            Process(
                name="otlp receiver",
                argv=[sys.executable, "-m", "deploy.local.otlp_receiver", "--port", str(port)],
                env={},
                ready_url=f"http://127.0.0.1:{port}/spans",
                url=f"http://127.0.0.1:{port}",
            )
        )
        environments = {
            "off": {"DJANGO_SETTINGS_MODULE": observability.OFF_SETTINGS},
            "on": {
                "DJANGO_SETTINGS_MODULE": observability.ON_SETTINGS,
                **observability.tracing_environment(receiver.url),
            },
        }
        servers = {  # side by side, each on a port of its own
            label: self.web(
                topology,
                "monolith",
                name=f"monolith (observability {label})",
                port=free_port(),
                env=env,
            )
            for label, env in environments.items()
        }
        try:
            measured = observability.run(self.plan, servers, receiver, catalog.write_departure_ids)
        finally:
            for server in servers.values():
                topology.stop(server.name)  # the on server exports what it still holds
        spans = observability.spans_received(receiver.url)
        topology.stop(receiver.name)
        self.scenarios["observability"] = observability.compare(measured, spans)

    def services(self) -> None:
        topology = self.services_run
        catalog = dataset.load(
            self.fresh_databases(topology),
            tours=self.plan.tours,
            departures_per_tour=self.plan.departures_per_tour,
        )
        servers = {app: self.web(topology, app) for app in SERVICES}
        self.scenarios["api_schema"] = api_schema.run(servers["catalog"].url)
        bookings_url = servers["bookings"].url
        no_bookings = write_path.bookings_missing(bookings_url)
        if unmet := no_bookings or notifications.missing():
            self.scenarios["notifications"] = not_run(unmet)
        else:
            self.scenarios["notifications"] = self.notifications(bookings_url, catalog)
        if self.monolith_writes:
            if no_bookings:
                self.scenarios["write_path"]["services_reason"] = no_bookings
            else:
                services = write_path.measure(
                    self.plan, bookings_url, catalog.write_departure_ids, "write path, services"
                )
                self.scenarios["write_path"] = write_path.compare(
                    self.monolith_writes, services, None
                )
        for server in servers.values():
            self.finish_web(topology, server)

    def notifications(self, bookings_url: str, catalog: dataset.Catalog) -> dict:
        topology, logging = self.services_run, {"DJANGO_LOG_LEVEL": "INFO"}
        worker = topology.launch("notifications", "worker", env=logging)
        relay_env = {**logging, "OUTBOX_SWEEP_SECONDS": str(SWEEP_SECONDS)}
        paths = {}
        for name, argv in [
            ("fast", None),  # the relay's own command
            ("sweep", [sys.executable, "-m", "benchmarks.polling_relay"]),
        ]:
            relay = topology.launch(
                "bookings", "relay", name=f"bookings-relay-{name}", argv=argv, env=relay_env
            )
            paths[name] = notifications.measure_path(
                self.plan,
                name=name,
                sink=self.sink,
                bookings_url=bookings_url,
                departure_ids=catalog.write_departure_ids,
            )
            topology.stop(relay.name)
        self.celery["notifications worker"] = footprint.measure(worker)
        topology.stop(worker.name)
        return {"status": "ok", "sweep_seconds": SWEEP_SECONDS, **paths}

    def stock_monolith(self) -> None:
        # The plain monolith, also serving the shop's build (the benchmark has no nginx).
        env = {"DJANGO_STOREFRONT_ROOT": str(DIST)}
        server = self.web(self.monolith_run, "monolith", env=env)
        footprint.exercise(server.url)
        if shop := self.phase("storefront", lambda: storefront.run(server.url)):
            self.scenarios["storefront"] = shop
        self.finish_web(self.monolith_run, server)

    def extraction(self) -> None:
        """Last: it leaves the monolith's catalog frozen. Into a database of its own,
        dropped after."""
        name = f"{self.prefix}_catalog_extracted"
        database.drop(name)
        try:
            self.scenarios["extraction"] = extraction.run(
                self.monolith_run.shell_environment("monolith"), database.database_url(name)
            )
        finally:
            database.drop(name)

    # --- processes -----------------------------------------------------------------------

    def web(self, topology: Topology, profile: str, **options) -> Process:
        server = topology.launch(profile, **options)
        print(f"  {server.name}: ready in {server.ready_seconds:.2f}s at {server.url}", flush=True)
        return server

    def finish_web(self, topology: Topology, server: Process) -> None:
        self.webs[server.name] = {
            "ready_seconds": server.ready_seconds,
            **footprint.measure(server),
        }
        topology.stop(server.name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    quick = os.environ.get("BENCH_QUICK", "") not in ("", "0")
    parser.add_argument("--quick", action="store_true", default=quick)
    parser.add_argument("--out", default=os.environ.get("BENCH_OUT", "bench-results"))
    args = parser.parse_args(argv)
    broker = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)
    for reason in (database.reachable(), broker_unreachable(broker)):
        if reason:
            print(f"make bench needs {reason}", file=sys.stderr)
            return 2
    # A SIGTERM unwinds like Ctrl-C, so every process this run started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    plan = QUICK if args.quick else FULL
    out = Path(args.out)
    prefix = os.environ.get("BENCH_DB_PREFIX", "tourism_bench")
    results = Bench(plan, out, prefix, broker).run()
    report.write(results, out)
    print(report.console_summary(results), flush=True)
    return 1 if results["scenarios"].get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
