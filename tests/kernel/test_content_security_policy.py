"""Every HTML page carries a Content-Security-Policy that lets in only this site's scripts,
and the pages still work under it: the API docs load every script from an allowed URL."""

import re

import pytest

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    directives = response["Content-Security-Policy"].split(";")
    return {name: values for name, *values in (d.split() for d in directives if d.strip())}


@pytest.mark.parametrize("url", ["/admin/login/", "/api/docs/"])
def test_html_pages_allow_scripts_from_this_site_only(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert policy(response)["script-src"] == ["'self'"]
    assert policy(response)["frame-ancestors"] == ["'none'"]


def test_the_docs_page_runs_no_inline_script_and_its_scripts_are_served(client):
    html = client.get("/api/docs/").content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.DOTALL)
    assert scripts
    for attributes, body in scripts:
        assert not body.strip(), "an inline script, which the policy blocks"
        src = re.search(r'src="([^"]+)"', attributes).group(1).replace("&amp;", "&")
        assert src.startswith("/"), f"{src} is not on this site"  # 'self'
        served = client.get(src)
        assert served.status_code == 200, src
        assert "javascript" in served["Content-Type"], src
