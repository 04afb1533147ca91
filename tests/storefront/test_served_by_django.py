"""Under ``make run`` Django serves the storefront's build at / (DJANGO_STOREFRONT_ROOT);
everywhere else it leaves / to a web server."""

import pytest

INDEX = b"<!doctype html><div id=root></div>"


@pytest.fixture
def build(tmp_path, settings):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_bytes(INDEX)
    (tmp_path / "assets" / "index-3f2a1b.js").write_text("console.log('shop')")
    settings.STOREFRONT_ROOT = str(tmp_path)
    settings.ROOT_URLCONF = "tests.storefront.urls"
    return tmp_path


def content(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("path", ["/", "/tours/tastes-of-lisbon", "/bookings/BK-1/pay"])
def test_the_shops_routes_are_its_index_page_revalidated_on_each_visit(client, build, path):
    response = client.get(path)
    assert response.status_code == 200
    assert content(response) == INDEX
    assert response["Cache-Control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year(client, build):
    response = client.get("/assets/index-3f2a1b.js")
    assert content(response) == b"console.log('shop')"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_missing_asset_is_a_404_not_the_index_page(client, build):
    response = client.get("/assets/index-gone.js")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("path", ["/api/nothing/", "/internal/nothing/", "/static/nothing.css"])
def test_the_api_keeps_its_own_404s(client, build, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_admin_without_its_slash_still_redirects(client, build):
    assert client.get("/admin")["Location"] == "/admin/"


def test_without_a_build_to_serve_other_paths_stay_404_problems(client):
    response = client.get("/tours/tastes-of-lisbon")  # the test settings serve no build
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_missing_build_says_how_to_make_it(client, settings, tmp_path):
    settings.STOREFRONT_ROOT = str(tmp_path)
    settings.ROOT_URLCONF = "tests.storefront.urls"
    response = client.get("/")
    assert response.status_code == 503
    assert "make shop" in response.json()["detail"]
