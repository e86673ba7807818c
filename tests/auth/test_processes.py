"""Sessions live in the database: they work across two server processes and survive a restart."""

from __future__ import annotations

import httpx
import pytest

from tests.auth.idp import sign_in, sign_out
from tests.servers import Server

VIEWER = {"query": "{ viewer { kind displayName } }"}


@pytest.fixture
def servers(idp):
    pair = [Server().start(), Server().start()]
    try:
        yield pair
    finally:
        for server in pair:
            server.stop()


async def viewer(browser, server):
    response = await browser.post(f"{server.url}/graphql", json=VIEWER)
    assert response.status_code == 200, response.text[:300]
    return response.json()["data"]["viewer"]


async def test_sessions_are_shared_by_processes_and_survive_a_restart(servers):
    a, b = servers
    async with httpx.AsyncClient(timeout=15) as browser:
        done = await sign_in(browser, "fsb-medarbejder", app_url=a.url)
        assert done.status_code == 303
        assert (await viewer(browser, a))["kind"] == "HOUSING_ORGANISATION"
        # The same cookie at the other process.
        assert (await viewer(browser, b)) == {"kind": "HOUSING_ORGANISATION", "displayName": "Medarbejder i fsb (demo)"}
        # A restarted process still knows the session.
        a.stop()
        a.start()
        assert (await viewer(browser, a))["kind"] == "HOUSING_ORGANISATION"
        # Signing out at one process ends the session at both.
        final = await sign_out(browser, app_url=b.url)
        assert final.status_code == 200
        assert await viewer(browser, a) is None
        assert await viewer(browser, b) is None
