"""One security policy on every response (portal, /auth/*, GraphiQL, API), and GraphiQL from the
project's own assets: no CDN, no inline script."""

from __future__ import annotations

import re

import pytest

PAGES = [
    "/",
    "/auth/login",
    "/auth/logout",
    "/auth/signed-out",
    "/healthz",
    "/graphql?query=%7B__typename%7D",
    "/static/portal.css",
    "/findes-ikke",
]


@pytest.mark.parametrize("path", PAGES + ["/graphql"])
async def test_every_response_has_the_security_headers(client, path):
    response = await client.get(path, headers={"accept": "text/html"} if path == "/graphql" else {})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    if path != "/graphql":  # GraphiQL's page allows inline styles only (see the next test)
        assert "unsafe" not in policy


async def test_graphiql_loads_only_own_assets_and_no_inline_script(client):
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "http" not in policy
    assert "<script>" not in page.text and "unpkg" not in page.text and "cdn" not in page.text.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) == 6
    for asset in assets:
        assert asset.startswith("/static/")
        response = await client.get(asset)
        assert response.status_code == 200 and len(response.content) > 30, asset
