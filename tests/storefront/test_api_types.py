"""The shop's API types (frontend/src/api/schema.d.ts) are generated from /api/schema/ and
checked in; `npm run typecheck` (in make lint) holds the shop to them."""

import shutil
import subprocess

import pytest
from django.core.management import call_command

from deploy.local.storefront import FRONTEND, ensure_dependencies
from tests.conftest import require

pytestmark = pytest.mark.postgres  # the document as PostgreSQL deployments serve it

CHECKED_IN = FRONTEND / "src" / "api" / "schema.d.ts"


def test_the_checked_in_api_types_match_the_api_document(tmp_path):
    require(shutil.which("npm") is not None, "needs Node.js 20.19+ with npm")
    ensure_dependencies()
    schema, types = tmp_path / "schema.json", tmp_path / "schema.d.ts"
    call_command("spectacular", format="openapi-json", file=str(schema))
    subprocess.run(
        [FRONTEND / "node_modules" / ".bin" / "openapi-typescript", schema, "-o", types],
        check=True,
        capture_output=True,
    )
    assert types.read_text() == CHECKED_IN.read_text(), "stale: run make shop-types"
