"""deploy/helm/tourism/README.md: every value of values.yaml with its default and the
comment beside or above it, generated so that it cannot drift from the chart.

    UPDATE_GOLDEN=1 make test PYTEST_ARGS=tests/deploy/test_helm.py   # rewrites it
"""

import json
import re

import yaml

from tests.deploy.tools import CHART

KEY = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z][\w-]*):(?P<rest>.*)$")
HEADER = """\
# The tourism chart

Tourism Booking on Kubernetes, as one Deployment per app (`mode: services`) or one
monolith. How to install, upgrade, roll back and scale it: `docs/deploy.md`. Every value
below is checked by `values.schema.json`, which rejects unknown keys.

This file is generated from `values.yaml` (`UPDATE_GOLDEN=1 make test
PYTEST_ARGS=tests/deploy/test_helm.py`); a test fails when it is stale.

| value | default | description |
| --- | --- | --- |
"""


def comments() -> dict[str, str]:
    """Dotted key path -> the comment beside the key, or the comment lines just above it."""
    found, path, above = {}, [], []
    for line in (CHART / "values.yaml").read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            above.append(stripped.lstrip("# ").strip())
            continue
        match = KEY.match(line)
        if not match:
            above = []
            continue
        depth = len(match["indent"]) // 2
        path = [*path[:depth], match["key"]]
        beside = match["rest"].split(" # ", 1)[1].strip() if " # " in match["rest"] else ""
        if text := " ".join(filter(None, [*above, beside])):
            found[".".join(path)] = text
        above = []
    return found


def leaves(values, prefix: str = ""):
    if isinstance(values, dict) and values:
        for key, value in values.items():
            yield from leaves(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, values


def readme() -> str:
    described, rows = comments(), []
    for path, default in leaves(yaml.safe_load((CHART / "values.yaml").read_text())):
        # A section's comment goes with its first value.
        parent = path.rsplit(".", 1)[0]
        text = " ".join(filter(None, [described.pop(parent, ""), described.get(path, "")]))
        rows.append(f"| `{path}` | `{json.dumps(default)}` | {text.replace('|', '/')} |")
    return HEADER + "\n".join(rows) + "\n"
