"""Session and CSRF helpers for the portal, and refusal of bad tokens on WebSockets."""

from __future__ import annotations

import warnings

import pytest
from starlette.requests import Request
from starlette.websockets import WebSocketDisconnect

with warnings.catch_warnings():  # starlette's test client announces its move to httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from auth import sessions
from auth.request import actor_for_request
from backend.db import new_session
from tests.auth.idp import browser_for, sign_in


def request_with(cookies: dict[str, str], headers: dict[str, str] | None = None) -> Request:
    raw = [(b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode())] if cookies else []
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "method": "POST", "headers": raw})


def test_csrf_tokens_are_bound_to_the_session():
    a, b = request_with({"hp_session": "one"}), request_with({"hp_session": "two"})
    token = sessions.csrf_token(a)
    assert token == sessions.csrf_token(request_with({"hp_session": "one"}))  # stable across processes
    assert token != sessions.csrf_token(b)
    assert sessions.verify_csrf(a, token)
    assert not sessions.verify_csrf(b, token)
    assert not sessions.verify_csrf(a, None) and not sessions.verify_csrf(a, "")
    assert not sessions.verify_csrf(request_with({}), token)


async def test_verify_csrf_form_reads_the_header():
    request = request_with(
        {"hp_session": "one"}, {"x-csrf-token": sessions.csrf_token(request_with({"hp_session": "one"}))}
    )
    assert await sessions.verify_csrf_form(request)


async def test_actor_for_request_from_the_session_cookie(app, idp):
    async with browser_for(app) as browser:
        await sign_in(browser, "3b-medarbejder")
        raw = next(c.value for c in browser.cookies.jar if c.name == sessions.SESSION_COOKIE)
    async with new_session() as session:
        actor = await actor_for_request(request_with({"hp_session": raw}), session)
        assert actor is not None and actor.kind.value == "HOUSING_ORGANISATION" and actor.plan_ids
        assert await actor_for_request(request_with({"hp_session": raw + "x"}), session) is None
        assert await actor_for_request(request_with({}), session) is None


def test_websocket_with_a_bad_token_is_refused():
    from backend.app import create_app

    client = TestClient(create_app())  # no lifespan: the shared engine stays open for the other tests
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"], headers={"Authorization": "Bearer a.b.c"}
        ) as ws:
            ws.send_json({"type": "connection_init"})
            ws.receive_json()
    denial = refused.value
    assert getattr(denial, "status_code", None) == 401
    assert b"UNAUTHENTICATED" in denial.content


async def test_actor_for_token(idp, token_for):
    from auth.errors import AuthenticationError
    from auth.request import actor_for_token

    async with new_session() as session:
        actor = await actor_for_token(await token_for("partner-ssp"), session)
        assert actor.kind.value == "PARTNER" and actor.activity_ids
        with pytest.raises(AuthenticationError):
            await actor_for_token("a.b.c", session)
