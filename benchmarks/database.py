"""The benchmark's own PostgreSQL databases: created fresh for each run, never others."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


def server_url() -> str:
    """Where the benchmark's databases live: ``BENCH_POSTGRES_URL`` (a server URL, no
    database name), else the local server."""
    return os.environ.get("BENCH_POSTGRES_URL", DEFAULT_SERVER).rstrip("/")


def database_url(name: str) -> str:
    return f"{server_url()}/{name}"


def reachable() -> str | None:
    """None when the server answers, else why not."""
    try:
        with psycopg.connect(database_url("postgres"), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {urlsplit(server_url()).netloc} is unreachable: {exc}"


def server_version() -> str:
    with psycopg.connect(database_url("postgres")) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def recreate(name: str) -> str:
    """Drop (closing its connections) and create database ``name``; returns its URL."""
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(name)


def drop(name: str) -> None:
    with psycopg.connect(database_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``manage.py migrate_service`` for the profile and databases in ``env`` (the
    topology's ``shell_environment``)."""
    with log.open("w") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", "migrate_service", "--no-color"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_all(migrations: dict[str, subprocess.Popen], logs: dict[str, Path]) -> None:
    for name, process in migrations.items():
        if process.wait(timeout=300) != 0:
            raise RuntimeError(f"migrate_service for {name} failed:\n{logs[name].read_text()}")
