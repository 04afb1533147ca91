"""``make services``: the services topology (or ``--mode monolith``) on this machine.

``--mode monolith --extracted catalog,payments`` runs a hybrid: the monolith without those
apps, each of them on its own process and database; ``--otlp-endpoint`` sends every
process's spans to a collector. Creates and migrates the databases on
the local PostgreSQL, seeds demo data, starts every
process with a log prefix and the nginx gateway, and runs until Ctrl-C stops everything.
"""

import argparse
import signal
import sys

from deploy.local.topology import DEFAULT_PORTS, Topology, TopologyError


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["services", "monolith"], default="services")
    parser.add_argument(
        "--extracted",
        default="",
        help="with --mode monolith: apps (comma-separated) served by their own processes and "
        "databases, the monolith calling them over HTTP (a hybrid)",
    )
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--broker-url", default="amqp://guest:guest@127.0.0.1:5672//")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--email-url", default="consolemail://")
    parser.add_argument("--database-prefix", default="tourism_local")
    parser.add_argument(
        "--queue-prefix",
        help="prefix of this run's RabbitMQ queues and exchanges (default: the database prefix)",
    )
    parser.add_argument(
        "--gateway-rate-limit", default="20r/s", help="requests per client address at the gateway"
    )
    parser.add_argument("--gateway-rate-burst", type=int, default=40)
    parser.add_argument(
        "--otlp-endpoint",
        default="",
        help="an OpenTelemetry collector (http://127.0.0.1:4318) every process sends its "
        "spans to over OTLP/HTTP (default: no tracing)",
    )
    for name, port in DEFAULT_PORTS.items():
        parser.add_argument(f"--{name}-port", type=int, default=port, dest=f"port_{name}")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    ports = {name: getattr(args, f"port_{name}") for name in DEFAULT_PORTS}
    extracted = tuple(app.strip() for app in args.extracted.split(",") if app.strip())
    try:
        topology = Topology(
            args.mode,
            extracted=extracted,
            ports=ports,
            database_prefix=f"{args.database_prefix}_{args.mode}",
            postgres_url=args.postgres_url,
            broker_url=args.broker_url,
            redis_url=args.redis_url,
            email_url=args.email_url,
            queue_prefix=args.queue_prefix,
            gateway_rate_limit=args.gateway_rate_limit,
            gateway_rate_burst=args.gateway_rate_burst,
            extra_env={"OTEL_EXPORTER_OTLP_ENDPOINT": args.otlp_endpoint}
            if args.otlp_endpoint
            else None,
        )
    except TopologyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with topology:
        try:
            topology.prepare()
            topology.start()
        except TopologyError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        url = topology.gateway_url
        mode = f"{args.mode}, {', '.join(extracted)} extracted" if extracted else args.mode
        print(
            f"\nReady ({mode}): shop {url}/, API {url}/api/, docs {url}/api/docs/, "
            f"admin {url}/admin/ "
            "(admin / admin). Ctrl-C stops everything.\n",
            flush=True,
        )
        try:
            signal.pause()
        except (KeyboardInterrupt, SystemExit):
            print("\nStopping ...", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
