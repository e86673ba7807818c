"""Browser sign-in through the real provider: code flow with PKCE, state and nonce, server-side
sessions, RP-initiated sign-out, and the attacks on the flow (state, PKCE, replayed codes)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from sqlmodel import col

from auth import devlogin, oidc, sessions
from auth.issuers import get_issuers
from backend.db import new_session
from backend.models import WebSession
from tests.auth.idp import browser_for, sign_in, sign_out

VIEWER = {"query": "{ viewer { kind displayName } }"}


async def viewer(browser):
    response = await browser.post("/graphql", json=VIEWER)
    assert response.status_code == 200, response.text[:300]
    return response.json()["data"]["viewer"]


async def session_rows() -> int:
    async with new_session() as session:
        return (await session.execute(select(func.count()).select_from(WebSession))).scalar_one()


def cookie(browser, name):
    return next((c.value for c in browser.cookies.jar if c.name == name), None)


async def test_sign_in_and_out(app, idp):
    async with browser_for(app) as browser:
        assert await viewer(browser) is None
        done = await sign_in(browser, "beboer-tingbjerg", next="/aktiviteter?omraade=tingbjerg")
        assert done.status_code == 303
        assert done.headers["location"] == "/aktiviteter?omraade=tingbjerg"
        set_cookie = done.headers.get_list("set-cookie")
        session_cookie = next(c for c in set_cookie if c.startswith(f"{sessions.SESSION_COOKIE}="))
        assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie.replace("Lax", "lax")
        assert "Secure" not in session_cookie  # development and test run on http
        raw = cookie(browser, sessions.SESSION_COOKIE)
        # The cookie holds a random id; the table holds only its hash.
        async with new_session() as session:
            row = await session.get(WebSession, sessions.hash_id(raw))
            assert row is not None and row.account_id is not None
            assert (await session.get(WebSession, raw)) is None
        assert await viewer(browser) == {"kind": "RESIDENT", "displayName": "Amira (demo)"}

        final = await sign_out(browser)
        # Every sign-out ends on /auth/signed-out, which leads on to the portal's own front page.
        assert final.status_code == 200 and final.url.path == "/" and "Du er logget af." in final.text
        assert await viewer(browser) is None
        async with new_session() as session:
            assert await session.get(WebSession, sessions.hash_id(raw)) is None
    # The old cookie value no longer opens anything.
    async with browser_for(app) as other:
        other.cookies.set(sessions.SESSION_COOKIE, raw)
        assert await viewer(other) is None


@pytest.mark.parametrize(
    "account, kind",
    [("fsb-medarbejder", "HOUSING_ORGANISATION"), ("kommune-tmf", "MUNICIPALITY"), ("lbf-tilsyn", "FUND")],
)
async def test_each_provider_signs_in_its_own_kind(app, idp, account, kind):
    async with browser_for(app) as browser:
        done = await sign_in(browser, account)
        assert done.status_code == 303 and done.headers["location"] == "/"
        assert (await viewer(browser))["kind"] == kind


async def test_sign_in_rotates_the_session_id(app, idp):
    async with browser_for(app) as browser:
        await sign_in(browser, "beboer-urbanplanen")
        first = cookie(browser, sessions.SESSION_COOKIE)
        # Signing in again, as another resident of the same browser, gives a new id.
        await sign_in(browser, "beboer-ny")
        second = cookie(browser, sessions.SESSION_COOKIE)
        assert first != second
        assert (await viewer(browser))["displayName"] == "Nour (demo)"
        # Without prompt=login the provider remembers the browser: no form, the same person again.
        start = await browser.get("/auth/login", params={"issuer": "dev-borger"})
        location = await devlogin.follow_until(browser, start, "http://testserver/auth/callback/")
        assert isinstance(location, str)
        await browser.get(location)
        assert (await viewer(browser))["displayName"] == "Nour (demo)"
        async with new_session() as session:
            assert await session.get(WebSession, sessions.hash_id(first)) is None


async def test_logout_needs_the_csrf_token(app, idp):
    async with browser_for(app) as browser:
        await sign_in(browser, "beboer-tingbjerg")
        refused = await browser.post("/auth/logout", data={"csrf_token": "forged"})
        assert refused.status_code == 403
        assert (await viewer(browser))["kind"] == "RESIDENT"
        assert sessions.verify_csrf(browser_request(browser), sessions._csrf_for(cookie(browser, "hp_session")))
        await sign_out(browser)


def browser_request(browser):
    from starlette.requests import Request

    header = "; ".join(f"{c.name}={c.value}" for c in browser.cookies.jar)
    return Request({"type": "http", "headers": [(b"cookie", header.encode())]})


async def test_next_must_stay_on_this_site(app, idp):
    async with browser_for(app) as browser:
        for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
            done = await sign_in(browser, "beboer-ny", next=evil)
            assert done.headers["location"] == "/"


async def test_login_page_lists_the_providers_and_refuses_unknown_ones(client):
    # Without a provider, /auth/login is the portal's own sign-in page (its layout and language).
    start = await client.get("/auth/login", params={"next": "/min-side"})
    assert start.status_code == 303 and start.headers["location"] == "/log-ind?naeste=%2Fmin-side"
    page = await client.get(start.headers["location"], cookies={"sprog": "en"})
    assert page.status_code == 200 and '<html lang="en"' in page.text
    for issuer_id in ("dev-borger", "dev-erhverv", "dev-kommune", "dev-lbf"):
        assert f"issuer={issuer_id}" in page.text
    assert (await client.get("/auth/login", params={"issuer": "evil"})).status_code == 404


async def test_authorization_request_carries_pkce_state_and_nonce(app, idp):
    async with browser_for(app) as browser:
        start = await browser.get("/auth/login", params={"issuer": "dev-borger"})
        query = parse_qs(urlsplit(start.headers["location"]).query)
        assert query["code_challenge_method"] == ["S256"]
        assert len(query["code_challenge"][0]) == 43
        assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
        assert query["resource"] == ["urn:helhedsplan:api"]
        login_cookie = next(c for c in start.headers.get_list("set-cookie") if c.startswith("hp_login="))
        assert "HttpOnly" in login_cookie and "Path=/auth/" in login_cookie


async def _code_at_callback(browser, account="beboer-tingbjerg"):
    """Sign in at the provider but stop before the app's callback: (callback URL, its query)."""
    start = await browser.get("/auth/login", params={"issuer": "dev-borger"})
    location = await devlogin.provider_sign_in(browser, start, account, "http://testserver/auth/callback/")
    return location, {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


async def test_state_mismatch_is_refused(app, idp):
    async with browser_for(app) as browser:
        location, query = await _code_at_callback(browser)
        tampered = location.replace(f"state={query['state']}", "state=forged-state")
        response = await browser.get(tampered)
        assert response.status_code == 400 and "state" in response.text
        assert cookie(browser, sessions.SESSION_COOKIE) is None
        assert await viewer(browser) is None


async def test_replayed_callback_is_refused(app, idp):
    async with browser_for(app) as browser:
        location, _ = await _code_at_callback(browser)
        assert (await browser.get(location)).status_code == 303
        first = cookie(browser, sessions.SESSION_COOKIE)
        # Replay the same callback (as an attacker who saw the URL would) in another browser...
        async with browser_for(app) as attacker:
            response = await attacker.get(location)
            assert response.status_code == 400
            assert cookie(attacker, sessions.SESSION_COOKIE) is None
        # ...and in the same one: the pending sign-in was used up.
        again = await browser.get(location)
        assert again.status_code == 400
        assert cookie(browser, sessions.SESSION_COOKIE) == first


async def test_replayed_authorization_code_at_the_token_endpoint(idp):
    issuer = get_issuers().by_id("dev-erhverv")
    redirect_uri = "http://testserver/auth/callback/dev-erhverv"
    code, pending = await _provider_code(issuer, "fsb-medarbejder", redirect_uri)
    token = await oidc.exchange_code(issuer, code=code, redirect_uri=redirect_uri, code_verifier=pending.code_verifier)
    assert token["access_token"]
    with pytest.raises(oidc.SignInFailed, match="invalid_grant"):
        await oidc.exchange_code(issuer, code=code, redirect_uri=redirect_uri, code_verifier=pending.code_verifier)


async def _provider_code(issuer, account, redirect_uri):
    pending = oidc.new_pending(issuer, redirect_uri=redirect_uri, next_path="/")
    url = await oidc.authorization_url(issuer, pending, prompt="login")
    async with httpx.AsyncClient(timeout=15) as browser:
        location = await devlogin.provider_sign_in(browser, await browser.get(url), account, redirect_uri)
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return oidc.check_callback(issuer, pending, query), pending


@pytest.mark.parametrize("verifier", [None, "wrong-verifier-" + "x" * 40])
async def test_missing_or_wrong_pkce_verifier(idp, verifier):
    issuer = get_issuers().by_id("dev-kommune")
    redirect_uri = "http://testserver/auth/callback/dev-kommune"
    code, _ = await _provider_code(issuer, "kommune-tmf", redirect_uri)
    with pytest.raises(oidc.SignInFailed, match="invalid_grant"):
        await oidc.exchange_code(issuer, code=code, redirect_uri=redirect_uri, code_verifier=verifier)


async def test_provider_requires_pkce(idp):
    issuer = get_issuers().by_id("dev-borger")
    pending = oidc.new_pending(issuer, redirect_uri="http://testserver/auth/callback/dev-borger", next_path="/")
    url = await oidc.authorization_url(issuer, pending)
    without = "&".join(p for p in url.split("&") if not p.startswith("code_challenge"))
    async with httpx.AsyncClient(timeout=15) as browser:
        response = await browser.get(without)
    # The provider sends the error back to the client, never a login form.
    assert response.status_code in (302, 303)
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["error"] == ["invalid_request"] and "PKCE" in query["error_description"][0]


async def test_provider_refuses_unknown_logins(idp):
    issuer = get_issuers().by_id("dev-borger")
    pending = oidc.new_pending(issuer, redirect_uri="http://testserver/auth/callback/dev-borger", next_path="/")
    async with httpx.AsyncClient(timeout=15) as browser:
        page = await devlogin.follow_until(
            browser, await browser.get(await oidc.authorization_url(issuer, pending)), "http://testserver/"
        )
        form = devlogin.parse_form(page.text)
        response = await browser.post(
            str(page.url.join(form.action)), data=dict(form.fields, login="fsb-medarbejder", password="x")
        )
    assert response.status_code == 400 and "Ukendt konto" in response.text


async def test_expired_pending_sign_ins_are_refused(app, idp):
    async with browser_for(app) as browser:
        location, _ = await _code_at_callback(browser)
        raw = cookie(browser, sessions.LOGIN_COOKIE)
        async with new_session() as session:
            row = await session.get(WebSession, sessions.hash_id(raw))
            row.expires_at = row.created_at
            await session.commit()
        response = await browser.get(location)
        assert response.status_code == 400 and cookie(browser, sessions.SESSION_COOKIE) is None


async def pending_logins() -> int:
    async with new_session() as session:
        return (
            await session.execute(
                select(func.count()).select_from(WebSession).where(col(WebSession.account_id).is_(None))
            )
        ).scalar_one()


async def test_starting_a_sign_in_prunes_expired_pending_ones(client, idp):
    async with new_session() as session:
        stale = await sessions.create(session, account_id=None, data={"login": {}}, lifetime=sessions.LOGIN_LIFETIME)
        row = await session.get(WebSession, sessions.hash_id(stale))
        row.expires_at = row.created_at
        await session.commit()
    start = await client.get("/auth/login", params={"issuer": "dev-borger"})
    assert start.status_code == 303
    async with new_session() as session:
        assert await session.get(WebSession, sessions.hash_id(stale)) is None


async def test_pending_sign_ins_are_bounded_in_number(client, idp, monkeypatch):
    monkeypatch.setattr(sessions, "MAX_PENDING_LOGINS", await pending_logins() + 2)
    for _ in range(2):
        assert (await client.get("/auth/login", params={"issuer": "dev-borger"})).status_code == 303
    before = await pending_logins()
    refused = await client.get("/auth/login", params={"issuer": "dev-borger"})
    assert refused.status_code == 503 and refused.headers["retry-after"] == "60"
    assert "for mange log-ind i gang" in refused.text
    assert await pending_logins() == before  # nothing stored


async def test_next_is_bounded_in_length(app, idp):
    fine = "/aktiviteter?q=" + "a" * 900
    async with browser_for(app) as browser:
        assert (await sign_in(browser, "beboer-ny", next=fine)).headers["location"] == fine
        done = await sign_in(browser, "beboer-ny", next="/aktiviteter?q=" + "a" * 5000)
        assert done.headers["location"] == "/"
