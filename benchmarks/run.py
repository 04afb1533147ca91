"""``make bench``: start the topology with production-like settings on the local
PostgreSQL and RabbitMQ, load a realistic catalog, drive each scenario from this process
and write ``bench-results/`` (results.json, results.md, latency.png).

``python -m benchmarks.run [--quick] [--out DIR]``; ``BENCH_QUICK=1`` also selects the
quick plan. Databases are ``$BENCH_DB_PREFIX`` (default ``tourism_bench``) and
``$BENCH_DB_PREFIX_<app>``, recreated on every run.
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

from deploy.local.storefront import DIST

from . import database, dataset, machine, report
from .plan import FULL, QUICK, Plan
from .processes import Process, Topology, free_port, production_env
from .scenarios import (
    api_schema,
    campaign,
    footprint,
    hot_departure,
    not_run,
    notifications,
    read_path,
    storefront,
    write_path,
)
from .smtp_sink import SmtpSink

SERVICES = ("catalog", "payments", "notifications", "bookings")  # bookings calls the others
DEFAULT_BROKER = "amqp://guest:guest@127.0.0.1:5672//"
SCENARIOS = (
    "read_path",
    "hot_departure",
    "write_path",
    "campaign",
    "notifications",
    "api_schema",
    "storefront",
)
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

    # --- environment ---------------------------------------------------------------------

    def env(self, settings_module: str, database_url: str, **extra: str) -> dict[str, str]:
        return production_env(
            **{
                "DJANGO_SECRET_KEY": self.secret,
                "DJANGO_SETTINGS_MODULE": settings_module,
                "DATABASE_URL": database_url,
                "IDENTITY_DATABASE_URL": "",
                "CELERY_BROKER_URL": self.broker,
                "CELERY_QUEUE_PREFIX": f"{self.prefix}.",
                "SERVICE_TOKEN": self.service_token,
                "EMAIL_URL": self.sink.url,
                "PAYMENT_GATEWAY": "sandbox",
                "THROTTLE_RATES": "off",  # 500 buyers from one address, on purpose
                **extra,
            }
        )

    def service_env(self, app: str, urls: dict[str, str], **extra: str) -> dict[str, str]:
        return self.env(
            f"config.settings.{app}",
            database.database_url(f"{self.prefix}_{app}"),
            IDENTITY_DATABASE_URL=database.database_url(f"{self.prefix}_identity"),
            **{f"{peer.upper()}_SERVICE_URL": url for peer, url in urls.items() if peer != app},
            **extra,
        )

    # --- phases --------------------------------------------------------------------------

    def run(self) -> dict:
        started_at = datetime.datetime.now(datetime.UTC)
        with SmtpSink() as self.sink, Topology(self.out / "logs") as self.topology:
            catalog = self.phase("load the monolith's catalog", self.load_monolith)
            if catalog:
                self.phase("monolith", lambda: self.monolith(catalog))
                self.phase("services mode", self.services)
                self.phase("footprint of the stock monolith", lambda: self.stock_monolith())
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
        url = database.recreate(self.prefix)
        self.migrate({"monolith": self.env("config.settings.monolith", url)})
        print(f"  loading {self.plan.tours} tours", flush=True)
        return dataset.load(
            url, tours=self.plan.tours, departures_per_tour=self.plan.departures_per_tour
        )

    def migrate(self, envs: dict[str, dict]) -> None:
        logs = {name: self.out / "logs" / f"migrate-{name}.log" for name in envs}
        started = {name: database.migrate(env, logs[name]) for name, env in envs.items()}
        database.wait_all(started, logs)

    def monolith(self, catalog: dataset.Catalog) -> None:
        url = database.database_url(self.prefix)
        server = self.web("monolith (benchmark server)", self.env("benchmarks.settings", url))
        self.scenarios["read_path"] = read_path.run(self.plan, server.base_url, catalog)
        if reason := write_path.bookings_missing(server.base_url):
            self.scenarios["hot_departure"] = not_run(reason)
            self.scenarios["write_path"] = not_run(reason)
        else:
            self.scenarios["hot_departure"] = hot_departure.run(self.plan, server.base_url, url)
            self.monolith_writes = write_path.measure(
                self.plan, server.base_url, catalog.write_departure_ids, "write path, monolith"
            )
            self.scenarios["write_path"] = write_path.compare(
                self.monolith_writes, None, "services mode did not run"
            )
            self.scenarios["campaign"] = self.campaign(server, catalog)
        self.finish_web("monolith (benchmark server)", server)

    def campaign(self, server: Process, catalog: dataset.Catalog) -> dict:
        host_port = server.base_url.removeprefix("http://")
        gateway = self.topology.gateway("gateway", host_port, self.out / "logs" / "gateway")
        values = self.scenarios["read_path"].get("endpoints", {}).get("values_baseline", {})
        try:
            return campaign.run(
                self.plan,
                gateway.base_url,
                tour_slugs=catalog.tour_slugs,
                departure_ids=catalog.write_departure_ids,
                browse_req_per_s=values.get("req_per_s"),
            )
        finally:
            self.topology.stop(gateway)

    def services(self) -> None:
        for name in ("identity", *SERVICES):
            database.recreate(f"{self.prefix}_{name}")
        urls = {app: f"http://127.0.0.1:{free_port()}" for app in SERVICES}
        print("  migrating every service's database", flush=True)
        self.migrate({app: self.service_env(app, urls) for app in SERVICES})
        catalog = dataset.load(
            database.database_url(f"{self.prefix}_catalog"),
            tours=self.plan.tours,
            departures_per_tour=self.plan.departures_per_tour,
        )
        servers = {}
        for app in SERVICES:
            port = urls[app].rsplit(":", 1)[1]
            servers[app] = self.web(app, self.service_env(app, urls), port=int(port))
        self.scenarios["api_schema"] = api_schema.run(servers["catalog"].base_url)
        bookings_url = servers["bookings"].base_url
        no_bookings = write_path.bookings_missing(bookings_url)
        if unmet := no_bookings or notifications.missing():
            self.scenarios["notifications"] = not_run(unmet)
        else:
            self.scenarios["notifications"] = self.notifications(urls, catalog)
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
        for app, server in servers.items():
            self.finish_web(app, server)

    def notifications(self, urls: dict[str, str], catalog: dataset.Catalog) -> dict:
        worker_env = self.service_env("notifications", urls, DJANGO_LOG_LEVEL="INFO")
        worker = self.topology.start(
            "notifications-worker",
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "INFO"],
            worker_env,
        )
        notifications.wait_for_log(worker, " ready.", timeout=60)
        relay_env = self.service_env(
            "bookings", urls, DJANGO_LOG_LEVEL="INFO", OUTBOX_SWEEP_SECONDS=str(SWEEP_SECONDS)
        )
        paths = {}
        for name, command in [
            ("fast", [sys.executable, "manage.py", "outbox_relay"]),
            ("sweep", [sys.executable, "-m", "benchmarks.polling_relay"]),
        ]:
            paths[name] = notifications.measure_path(
                self.plan,
                name=name,
                relay=self.topology.start(f"bookings-relay-{name}", command, relay_env),
                topology=self.topology,
                sink=self.sink,
                bookings_url=urls["bookings"],
                departure_ids=catalog.write_departure_ids,
            )
        self.celery["notifications worker"] = worker.measure_memory()
        self.topology.stop(worker)
        return {"status": "ok", "sweep_seconds": SWEEP_SECONDS, **paths}

    def stock_monolith(self) -> None:
        # The plain monolith, also serving the shop's build (the benchmark has no nginx).
        url = database.database_url(self.prefix)
        env = self.env("config.settings.monolith", url, DJANGO_STOREFRONT_ROOT=str(DIST))
        server = self.web("monolith", env)
        footprint.exercise(server.base_url)
        if shop := self.phase("storefront", lambda: storefront.run(server.base_url)):
            self.scenarios["storefront"] = shop
        self.finish_web("monolith", server)

    # --- processes -----------------------------------------------------------------------

    def web(self, name: str, env: dict[str, str], port: int | None = None) -> Process:
        server = self.topology.web(name, env, port=port)
        print(f"  {name}: ready in {server.ready_seconds:.2f}s at {server.base_url}", flush=True)
        return server

    def finish_web(self, name: str, server: Process) -> None:
        self.webs[name] = {"ready_seconds": server.ready_seconds, **server.measure_memory()}
        self.topology.stop(server)


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
