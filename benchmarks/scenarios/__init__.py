"""One module per scenario. Each returns a JSON-ready dict with a ``status``: ``ok``, or
``not_run`` with the ``reason`` (a dependency that is not there yet)."""


def not_run(reason: str) -> dict:
    return {"status": "not_run", "reason": reason}
