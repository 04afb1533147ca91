"""deploy/helm/tourism/README.md: every value of values.yaml with its default and the
comment beside or above it, generated so that it cannot drift from the chart.

    UPDATE_GOLDEN=1 make test PYTEST_ARGS=tests/deploy/test_helm.py   # rewrites it

A value without a comment of its own is described by its anchor (a value under an
``*alias``), for a value of an app or of the monolith by the same value of the first app
(whose shape they all repeat), or by the line it is written on (a value in a ``{flow}``
mapping). The comment of a key above values goes with its first value. ``undescribed()``
lists the values none of these describes.
"""

import json
import re

import yaml

from tests.deploy.tools import CHART

KEY = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z][\w-]*):(?P<rest>.*)$")
ANCHOR = re.compile(r"^\s*&([\w-]+)")
ALIAS = re.compile(r"(?:^|[{,])\s*(?:([A-Za-z][\w-]*):\s*)?\*([\w-]+)")
APP_VALUE = re.compile(r"^(apps\.[\w-]+|monolith)\.")
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


class ValuesFile:
    """values.yaml as written: each key's comment (beside it, or the comment lines just
    above it), the keys that have a line of their own, and where each alias points."""

    def __init__(self, text: str):
        self.values = yaml.safe_load(text)
        self.comments: dict[str, str] = {}
        self.lined: list[str] = []  # in the file's order
        self.aliases: dict[str, str] = {}  # path of an *alias -> path of its &anchor
        anchors, path, above = {}, [], []
        for line in text.splitlines():
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
            here = ".".join(path)
            value, _, beside = match["rest"].partition(" # ")
            self.lined.append(here)
            if text := " ".join(filter(None, [*above, beside.strip()])):
                self.comments[here] = text
            if anchor := ANCHOR.match(value):
                anchors[anchor[1]] = here
            for key, name in ALIAS.findall(value):
                self.aliases[f"{here}.{key}" if key else here] = anchors[name]
            above = []

    def description(self, path: str) -> str:
        """The comment that describes the value at ``path`` (see above), or ""."""
        if path in self.comments:
            return self.comments[path]
        parts = path.split(".")
        prefixes = [".".join(parts[:depth]) for depth in range(len(parts) - 1, 0, -1)]
        for prefix in [path, *prefixes]:
            if prefix in self.aliases:
                return self.description(self.aliases[prefix] + path.removeprefix(prefix))
        first_app = next(iter(self.values["apps"]))
        same = APP_VALUE.sub(f"apps.{first_app}.", path)
        if same != path and (described := self.description(same)):
            return described
        if path not in self.lined:
            line = next(prefix for prefix in prefixes if prefix in self.lined)
            return self.comments.get(line, "")
        return ""

    def sections(self, path: str) -> list[str]:
        """The keys above ``path`` that have a line of their own, outermost first."""
        parts = path.split(".")
        prefixes = [".".join(parts[:depth]) for depth in range(1, len(parts))]
        return [prefix for prefix in prefixes if prefix in self.lined]


def sentence(text: str) -> str:
    return text if text.endswith((".", ":", "!", "?")) else f"{text}."


def values_file() -> ValuesFile:
    return ValuesFile((CHART / "values.yaml").read_text())


def leaves(values, prefix: str = ""):
    if isinstance(values, dict) and values:
        for key, value in values.items():
            yield from leaves(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, values


def undescribed() -> list[str]:
    source = values_file()
    return [path for path, _ in leaves(source.values) if not source.description(path)]


def readme() -> str:
    source, introduced, rows = values_file(), set(), []
    for path, default in leaves(source.values):
        description = source.description(path)
        intro = [
            source.comments[section]
            for section in source.sections(path)
            if section not in introduced
            and source.comments.get(section, description) != description
        ]
        introduced.update(source.sections(path))
        text = " ".join(sentence(part) for part in intro) + " " * bool(intro) + description
        rows.append(f"| `{path}` | `{json.dumps(default)}` | {text.replace('|', '/')} |")
    return HEADER + "\n".join(rows) + "\n"
