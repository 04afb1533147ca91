"""docs/concepts.md points at the exact lines that use each concept: every link's file
exists and its line holds the quoted text. After an edit moves lines:
`UPDATE_CONCEPTS=1 make test PYTEST_ARGS=tests/deploy/test_concepts.py`, then review."""

import os
import re
from pathlib import Path

from tests.deploy.tools import ROOT

CONCEPTS = ROOT / "docs" / "concepts.md"
# [`quoted text`](relative/path#L12)
LINK = re.compile(r"\[`(?P<text>[^`]+)`\]\((?P<path>[^)#\s]+)(?:#L(?P<line>\d+))?\)")
PLAIN_LINK = re.compile(r"\]\((?P<path>[^)#\s:]+)(?:#[^)]*)?\)")


def target(path: str) -> Path:
    return (CONCEPTS.parent / path).resolve()


def first_line_with(text: str, path: str) -> int | None:
    lines = target(path).read_text().splitlines()
    return next((number for number, line in enumerate(lines, 1) if text in line), None)


def line_of(path: str, number: int) -> str:
    lines = target(path).read_text().splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def relocated(document: str) -> str:
    def anchor(match: re.Match) -> str:
        line = first_line_with(match["text"], match["path"])
        return f"[`{match['text']}`]({match['path']}#L{line})" if line else match[0]

    return LINK.sub(anchor, document)


def test_every_linked_file_exists():
    document = CONCEPTS.read_text()
    missing = {m["path"] for m in PLAIN_LINK.finditer(document) if not target(m["path"]).exists()}
    assert not missing


def test_every_line_link_lands_on_the_quoted_text():
    if os.environ.get("UPDATE_CONCEPTS"):
        CONCEPTS.write_text(relocated(CONCEPTS.read_text()))
    links = list(LINK.finditer(CONCEPTS.read_text()))
    assert len(links) > 40
    wrong = [
        f"{m['path']}#L{m['line']}: `{m['text']}`"
        for m in links
        if not m["line"] or m["text"] not in line_of(m["path"], int(m["line"]))
    ]
    assert not wrong, "moved or gone (UPDATE_CONCEPTS=1 re-anchors):\n" + "\n".join(wrong)
