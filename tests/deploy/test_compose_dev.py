"""compose.dev.yaml for real: the source tree is mounted and an edit reloads the app.

It runs on a copy of the tree, so the edit touches nothing of the checkout."""

import shutil
import tempfile
from pathlib import Path

import pytest

from tests.deploy.containers import running
from tests.deploy.tools import ROOT
from tests.messaging import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.containers]

NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", "*.sqlite3")
HEALTHZ = (
    "import urllib.request; print(urllib.request.urlopen("
    "'http://127.0.0.1:8000/healthz', timeout=30).read().decode())"
)


@pytest.fixture(scope="module")
def source():
    with tempfile.TemporaryDirectory(prefix="tourism-dev-") as copy:
        tree = Path(copy) / "tourism"
        shutil.copytree(ROOT, tree, ignore=NOT_COPIED)
        Path(copy).chmod(0o755)  # the containers' non-root user reads the mounted tree
        yield tree


@pytest.fixture(scope="module")
def catalog(images, source):
    yield from running(
        "services-dev", images, directory=source / "deploy" / "compose", only=("catalog",)
    )


def test_editing_a_mounted_source_file_reloads_the_app(catalog, source):
    def healthz() -> str:
        return catalog.compose("exec", "-T", "catalog", "python", "-c", HEALTHZ)

    assert healthz().strip() == '{"status": "ok"}'
    health = source / "kernel" / "health.py"
    health.write_text(health.read_text().replace('{"status": "ok"})', '{"status": "edited"})', 1))

    def reloaded() -> bool:
        try:
            return "edited" in healthz()
        except AssertionError:  # the server is restarting
            return False

    wait_until(reloaded, timeout=120, interval=1, what="runserver to reload the edited module")
