"""What an app tells the platform about how it runs.

Each project app declares one ``WIRING`` in ``apps/<app>/wiring.py``: plain data, read
before Django starts. ``config/environment.py`` and the settings collect them: the
processes and environment of a profile, its periodic tasks, which outbox events reach which
task, rate limits and OpenAPI enum names. docs/adding-an-app.md shows one.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Wiring:
    # The processes its profile runs: kinds of config.environment.COMMANDS.
    processes: tuple[str, ...] = ("web",)
    # Threads per gunicorn worker when the app runs as a service of its own.
    web_threads: int = 1
    # Environment variables only this app reads (listed in config/environment.py's contract).
    env: frozenset[str] = frozenset()
    # Periodic tasks, run by the beat of every profile that installs the app:
    # name -> {"task": "<label>.<task>", "schedule": seconds}.
    beat_schedule: dict[str, dict] = field(default_factory=dict)
    # Outbox event types the app emits: its rows of the outbox move with its data when it
    # leaves the monolith (kernel/extraction.py).
    emits: tuple[str, ...] = ()
    # Outbox events the app consumes: event type -> name of its Celery task (on its queue).
    consumes: dict[str, str] = field(default_factory=dict)
    # Rate limits of the app's throttle scopes: scope -> "<requests>/<period>".
    throttle_rates: dict[str, str] = field(default_factory=dict)
    # OpenAPI enum names of the app's choice fields: name -> [(value, label), ...].
    openapi_enums: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
