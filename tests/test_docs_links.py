"""The documentation a newcomer clicks through: every relative link in README.md,
CONTRIBUTING.md, docs/ and the chart's README reaches a file that exists and, when it names
a section (`page.md#section`), a heading of that page; every decision record is indexed."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    [
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        ROOT / "deploy" / "helm" / "tourism" / "README.md",
        *(ROOT / "docs").rglob("*.md"),
    ]
)
LINK = re.compile(r"\]\((?P<path>[^)#\s]*)(?:#(?P<anchor>[^)\s]*))?\)")
CODE = re.compile(r"```.*?```", re.DOTALL)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = CODE.sub("", page.read_text())
    return {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def links(page: Path) -> list[tuple[str, str | None]]:
    text = CODE.sub("", page.read_text())
    return [
        (m["path"], m["anchor"])
        for m in LINK.finditer(text)
        if not re.match(r"[a-z]+:", m["path"])  # http:, https:, mailto:
    ]


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_reaches_its_file_and_section(page):
    broken = []
    for path, anchor in links(page):
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(path)
        elif anchor and target.suffix == ".md" and anchor not in anchors(target):
            broken.append(f"{path}#{anchor}")
    assert not broken


def test_every_decision_record_is_in_the_index():
    decisions = ROOT / "docs" / "decisions"
    records = {page.name for page in decisions.glob("[0-9][0-9][0-9][0-9]-*.md")}
    indexed = {path for path, _ in links(decisions / "README.md") if re.match(r"\d{4}-", path)}
    assert records and records == indexed
