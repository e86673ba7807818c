"""Provider keys: concurrent requests with a cold cache share one fetch per issuer."""

from __future__ import annotations

import asyncio

import pytest
from joserfc.jwk import RSAKey

from auth import jwks
from auth.issuers import get_issuers

KEY = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"}).as_dict(private=False)


@pytest.fixture
def provider(monkeypatch):
    """A provider answering through a patched `_get_json`: the URLs asked, a gate that holds the answers,
    and whether it fails."""
    issuer = get_issuers().by_id("dev-kommune")
    state = {"asked": [], "gate": asyncio.Event(), "fail": False}

    async def get_json(url: str) -> dict:
        state["asked"].append(url)
        await state["gate"].wait()
        if state["fail"]:
            raise jwks.ProviderUnavailable(f"could not fetch {url}: ConnectError")
        if url == issuer.discovery_url:
            return {"issuer": issuer.url, "jwks_uri": issuer.url + "/jwks"}
        return {"keys": [KEY]}

    monkeypatch.setattr(jwks, "_get_json", get_json)
    jwks.clear_cache()
    yield issuer, state
    jwks.clear_cache()


async def _sixteen(issuer, state) -> list:
    """16 requests at once, answered only when every one of them has asked for the keys."""
    waiting = asyncio.gather(*(jwks.key_for(issuer, "k1") for _ in range(16)), return_exceptions=True)
    for _ in range(10):  # each request runs up to its first wait
        await asyncio.sleep(0)
    state["gate"].set()
    return await waiting


async def test_sixteen_first_requests_fetch_once(provider):
    issuer, state = provider
    keysets = await _sixteen(issuer, state)
    assert state["asked"] == [issuer.discovery_url, issuer.url + "/jwks"]
    assert all(k is keysets[0] for k in keysets) and [k.kid for k in keysets[0].keys] == ["k1"]


async def test_a_failed_fetch_fails_its_waiters_and_is_tried_again(provider):
    issuer, state = provider
    state["fail"] = True
    errors = await _sixteen(issuer, state)
    assert all(isinstance(e, jwks.ProviderUnavailable) for e in errors) and len(errors) == 16
    assert state["asked"] == [issuer.discovery_url]
    state["fail"] = False
    keyset = await jwks.key_for(issuer, "k1")
    assert keyset is not None and state["asked"] == [issuer.discovery_url] * 2 + [issuer.url + "/jwks"]
