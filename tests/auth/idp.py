"""Fixtures and helpers around the real development OpenID Provider (auth/dev-idp, node).

Other test packages can use them by importing into their conftest.py:

    from tests.auth.idp import idp, token_for  # noqa: F401  (pytest fixtures)

- `idp` (session): the provider on a free port, with its signing keys in a temporary file; the
  issuer configuration points at it. `idp.sign(issuer_id, claims)` signs with that issuer's real key.
- `token_for` (session): `await token_for("fsb-medarbejder")` -> a JWT access token for the API,
  obtained through the real authorization code + PKCE flow (cached per account).
- `sign_in(browser, account, next="/")`: a full browser sign-in at the app; `browser` is an
  httpx.AsyncClient whose base_url is the app (see `browser_for`).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from auth import devidp, devlogin
from auth.issuers import reset_issuers


@dataclass
class Idp:
    url: str
    keys: dict[str, dict]  # issuer id -> private JWK
    process: devidp.DevIdp

    def issuer_url(self, issuer_id: str) -> str:
        return self.url + devidp.dev_config()["issuers"][issuer_id]["path"]

    def key(self, issuer_id: str):
        jwk = self.keys[issuer_id]
        return (ECKey if jwk["kty"] == "EC" else RSAKey).import_key(jwk)

    def claims(self, issuer_id: str, account: str, **overrides) -> dict:
        """Claims like the provider's access token for `account` (valid now, for an hour)."""
        now = int(time.time())
        base = dict(devidp.dev_config()["issuers"][issuer_id]["accounts"].get(account, {}))
        base.update(
            iss=self.issuer_url(issuer_id),
            sub=account,
            aud="urn:helhedsplan:api",
            iat=now,
            exp=now + 3600,
            jti=f"test-{now}-{account}",
            client_id=devidp.dev_config()["issuers"][issuer_id]["client_id"],
            scope="api",
        )
        base.update(overrides)
        return {k: v for k, v in base.items() if v is not None}

    def sign(self, issuer_id: str, claims: dict, *, header: dict | None = None, key=None) -> str:
        """A token signed with the issuer's real key (or `key`), typ at+jwt like the provider's."""
        jwk = self.keys[issuer_id]
        head = {"alg": jwk["alg"], "typ": "at+jwt", "kid": jwk["kid"], **(header or {})}
        return jwt.encode(head, claims, key or self.key(issuer_id), algorithms=[head["alg"]])


_shared: list[Idp] = []  # one provider per test run, however many conftests import the fixture


@pytest.fixture(scope="session")
def idp(tmp_path_factory):
    if _shared:
        yield _shared[0]
        return
    keys_file = tmp_path_factory.mktemp("dev-idp") / "keys.json"
    process = devidp.start(0, keys_file=keys_file)
    previous = os.environ.get("DEV_IDP_URL")
    os.environ["DEV_IDP_URL"] = process.url
    reset_issuers()
    _shared.append(Idp(url=process.url, keys=json.loads(keys_file.read_text()), process=process))
    try:
        yield _shared[0]
    finally:
        _shared.clear()
        process.stop()
        if previous is None:
            os.environ.pop("DEV_IDP_URL", None)
        else:
            os.environ["DEV_IDP_URL"] = previous
        reset_issuers()


@pytest.fixture(scope="session")
def token_for(idp):
    cache: dict[str, str] = {}

    async def get(account: str) -> str:
        if account not in cache:
            tokens = await devlogin.obtain_tokens(account, redirect_base="http://testserver")
            cache[account] = tokens["access_token"]
        return cache[account]

    return get


def browser_for(app, base_url: str = "http://testserver") -> httpx.AsyncClient:
    """A 'browser': one cookie jar; the app in-process at base_url, everything else over real HTTP."""
    return httpx.AsyncClient(mounts={base_url: httpx.ASGITransport(app=app)}, base_url=base_url, timeout=15)


async def sign_in(
    browser: httpx.AsyncClient,
    account: str,
    *,
    next: str = "/",
    issuer_id: str | None = None,
    app_url: str | None = None,
) -> httpx.Response:
    """Sign in at the app as a demo account: /auth/login -> provider form -> callback.

    Returns the app's answer to the callback (303 to `next` with the session cookie).
    """
    issuer_id = issuer_id or devidp.issuer_of_account(account)
    app_url = (app_url or str(browser.base_url)).rstrip("/")
    # prompt=login: the provider asks again even if this browser signed in there before as someone else.
    start = await browser.get(f"{app_url}/auth/login", params={"issuer": issuer_id, "next": next, "prompt": "login"})
    assert start.status_code == 303, start.text[:300]
    location = await devlogin.provider_sign_in(browser, start, account, f"{app_url}/auth/callback/")
    assert isinstance(location, str), "the provider did not send the browser back to the app"
    return await browser.get(location)


async def sign_out(browser: httpx.AsyncClient, *, app_url: str | None = None) -> httpx.Response:
    """Sign out at the app and confirm at the provider; returns the final page (/auth/signed-out leads
    on to the portal's front page)."""
    app_url = (app_url or str(browser.base_url)).rstrip("/")
    page = await browser.get(f"{app_url}/auth/logout")
    form = devlogin.parse_form(page.text)
    response = await browser.post(f"{app_url}/auth/logout", data=form.fields)
    assert response.status_code == 303, response.text[:300]
    location = response.headers["location"]
    if location.startswith(app_url):
        return await browser.get(location, follow_redirects=True)
    confirm = await browser.get(location)  # the provider asks "sign out?"
    form = devlogin.parse_form(confirm.text)
    done = await browser.post(urljoin(str(confirm.url), form.action), data=dict(form.fields, logout="yes"))
    result = await devlogin.follow_until(browser, done, app_url)
    assert isinstance(result, str), "the provider did not send the browser back after signing out"
    return await browser.get(result, follow_redirects=True)
