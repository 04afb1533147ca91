"""API clients find the OpenAPI schema and a docs page that works offline."""

import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_schema_describes_the_catalog_api(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/catalog/tours/" in schema["paths"]
    assert not any(path.startswith("/internal/") for path in schema["paths"])


def test_docs_page_loads_its_assets_from_this_site_only(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def test_api_index_links_to_each_app_and_the_docs(client):
    body = client.get("/api/").json()
    assert body["catalog"].endswith("/api/catalog/")
    assert body["docs"].endswith("/api/docs/")
