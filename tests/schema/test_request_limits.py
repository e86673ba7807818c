"""Bounds on size and time, and the budget of anonymous clients (issue 10, section 1)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from backend import budget
from schema import limits
from schema.api import execute

SEARCH = "query($q: String) { activities(first: 1, filter: {search: $q}) { nodes { id } } }"


# ---------------------------------------------------------------- text length


async def test_a_long_search_is_refused_with_a_clear_error():
    result = await execute(SEARCH, {"q": "x" * (limits.TEXT_LENGTHS["search"] + 1)})
    [error] = result.errors
    assert error.extensions["code"] == "BAD_USER_INPUT"
    assert "`search`" in error.message and f"{limits.TEXT_LENGTHS['search']}" in error.message
    assert (await execute(SEARCH, {"q": "x" * limits.TEXT_LENGTHS["search"]})).errors is None


async def test_a_long_literal_is_refused_too():
    long = "x" * (limits.TEXT_LENGTHS["search"] + 1)
    result = await execute('{ activities(first: 1, filter: {search: "%s"}) { nodes { id } } }' % long)
    assert result.errors[0].extensions["code"] == "BAD_USER_INPUT"


async def test_every_free_text_argument_is_bounded(actor):
    # A mutation's input text far beyond any rule: refused before the service runs.
    result = await execute(
        "mutation($input: ResidentInputSubmitInput!) { residentInputSubmit(input: $input) { errors { code } } }",
        {"input": {"groupId": "Rm9sbG93VXBHcm91cDox", "title": "t", "body": "x" * (limits.MAX_TEXT_LENGTH + 1)}},
        actor=await actor("beboer-tingbjerg"),
    )
    [error] = result.errors
    assert error.extensions["code"] == "BAD_USER_INPUT" and "`body`" in error.message


# ---------------------------------------------------------------- body size


async def test_a_large_graphql_body_is_refused_with_413(client):
    body = '{"query": "{ __typename }", "variables": {"q": "%s"}}' % ("x" * limits.MAX_REQUEST_BODY)
    response = await client.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413


async def test_a_chunked_body_without_content_length_is_counted(client):
    async def chunks():
        yield b'{"query": "{ __typename }", "variables": {"q": "'
        for _ in range(limits.MAX_REQUEST_BODY // 65536 + 2):
            yield b"x" * 65536
        yield b'"}}'

    response = await client.post("/graphql", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_a_large_form_post_is_refused_with_413(client):
    response = await client.post("/auth/logout", data={"csrf_token": "x" * limits.MAX_REQUEST_BODY})
    assert response.status_code == 413


async def test_a_content_length_that_understates_the_body_does_not_help(app):
    from backend.body_limit import BodySizeLimit

    reached = []

    async def inner(scope, receive, send):
        while True:
            message = await receive()
            reached.append(len(message.get("body", b"")))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    messages = iter(
        [
            {"type": "http.request", "body": b"x" * 600, "more_body": True},
            {"type": "http.request", "body": b"x" * 600, "more_body": False},
        ]
    )
    sent = []

    async def receive():
        return next(messages)

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"10")]}
    await BodySizeLimit(inner, max_bytes=1000)(scope, receive, send)
    assert sent[0]["status"] == 413


# ---------------------------------------------------------------- deadline


async def test_an_operation_past_its_deadline_is_stopped_with_a_clear_error(client, monkeypatch):
    from schema.context import Context

    original = Context.fetch
    stopped = []

    async def slow_fetch(self, statement, params=None):
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            stopped.append(True)
            raise
        return await original(self, statement, params)

    monkeypatch.setattr(limits, "REQUEST_DEADLINE_SECONDS", 0.2)
    monkeypatch.setattr(Context, "fetch", slow_fetch)
    # (comments make the documents new to the public cache)
    response = await client.post("/graphql", json={"query": "# deadline 1\n{ plans(first: 1) { nodes { name } } }"})
    monkeypatch.setattr(Context, "fetch", original)
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert stopped, "the request's work was not cancelled"
    # The server answers the next request as usual.
    response = await client.post("/graphql", json={"query": "# deadline 2\n{ plans(first: 1) { nodes { name } } }"})
    assert response.json()["data"]["plans"]["nodes"]


# ---------------------------------------------------------------- budget

_spent = budget.spent


def _client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 4321))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_an_anonymous_client_over_its_budget_gets_429_with_retry_after(app, monkeypatch):
    monkeypatch.setattr(limits, "ANONYMOUS_BUDGET_PER_MINUTE", 50)
    monkeypatch.setattr(budget, "_clock", lambda: 1_800_000_000.0 + 15)  # 45 s before a minute ends
    query = "query Budget($n: Int) { activities(first: $n) { nodes { id } } }"  # costs 1 + n
    async with _client_at(app, "203.0.113.7") as client:
        first = await client.post("/graphql", json={"query": query, "variables": {"n": 20}})
        assert first.status_code == 200 and "errors" not in first.json()
        second = await client.post("/graphql", json={"query": query, "variables": {"n": 21}})
        assert second.status_code == 200
        assert await _spent("203.0.113.7") == 21 + 22
        refused = await client.post("/graphql", json={"query": query, "variables": {"n": 10}})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "45"
        assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert await _spent("203.0.113.7") == 21 + 22  # a refused request spends nothing
    async with _client_at(app, "203.0.113.8") as other:  # another client has its own budget
        assert (await other.post("/graphql", json={"query": query, "variables": {"n": 10}})).status_code == 200


async def test_cached_public_answers_cost_nothing_and_touch_no_database(app, monkeypatch):
    from tests.schema.test_n_plus_one import recorded_statements

    query = "query CachedBudget { urbanAreas(first: 3) { nodes { name } } }"
    async with _client_at(app, "203.0.113.9") as client:
        await client.post("/graphql", json={"query": query})
        spent = await _spent("203.0.113.9")
        with recorded_statements() as statements:
            for _ in range(3):
                assert (await client.post("/graphql", json={"query": query})).status_code == 200
        assert statements == []
        assert await _spent("203.0.113.9") == spent


async def test_signed_in_and_in_process_work_is_not_charged(actor):
    before = await _spent("127.0.0.1")
    assert (await execute("{ activities(first: 5) { nodes { id } } }")).errors is None
    assert (await execute("{ activities(first: 6) { nodes { id } } }", actor=await actor("kommune-tmf"))).errors is None
    assert await _spent("127.0.0.1") == before


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [
        ([], "10.0.0.1"),  # no trusted proxy: the header is ignored
        (["10.0.0.1"], "198.51.100.4"),  # the proxy's right-most entry
    ],
)
def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(monkeypatch, trusted, expected):
    from starlette.requests import Request

    from backend.settings import get_settings

    monkeypatch.setattr(get_settings(), "trusted_proxies", trusted)
    request = Request(
        {"type": "http", "client": ("10.0.0.1", 1), "headers": [(b"x-forwarded-for", b"203.0.113.1, 198.51.100.4")]}
    )
    assert budget.client_address(request) == expected
