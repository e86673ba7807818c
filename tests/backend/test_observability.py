"""Operating the portal in-process: request ids, /metrics and who may read it, the metrics' labels and
counts, the request log line, and the health probes."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
from starlette.testclient import TestClient

from backend import health, observability
from backend.settings import get_settings

PLANS = "query ObservedPlans { plans(first: 2) { nodes { name } } }"


def sample(name: str, **labels) -> float:
    return observability.REGISTRY.get_sample_value(name, labels) or 0.0


async def metrics_text(client) -> str:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


# ---------------------------------------------------------------- request ids
async def test_every_answer_has_a_request_id_and_a_well_formed_incoming_one_is_kept(client):
    first = (await client.get("/healthz")).headers["x-request-id"]
    second = (await client.get("/healthz")).headers["x-request-id"]
    assert first and second and first != second
    assert (await client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.2:9"})).headers[
        "x-request-id"
    ] == "lb-7f3a.2:9"
    for bad in ("two words", "x" * 65, "<script>", "ø".encode()):
        kept = (await client.get("/healthz", headers={"X-Request-ID": bad})).headers["x-request-id"]
        assert kept and kept.encode() != (bad if isinstance(bad, bytes) else bad.encode())


async def test_a_cached_answer_gets_its_own_request_id(client):
    answers = [await client.post("/graphql", json={"query": PLANS}) for _ in range(3)]
    ids = [a.headers.get_list("x-request-id") for a in answers]
    assert all(len(i) == 1 for i in ids), ids  # the cached headers never collect earlier ids
    assert len({i[0] for i in ids}) == 3


# ---------------------------------------------------------------- who may read /metrics
def remote_client(app, headers=None) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers)


async def test_metrics_are_open_on_loopback_and_need_the_token_elsewhere(app, client, monkeypatch):
    assert (await client.get("/metrics")).status_code == 200  # ASGITransport's client is 127.0.0.1
    # A local reverse proxy passing a request on is not loopback.
    assert (await client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.1"})).status_code == 404
    async with remote_client(app) as remote:
        assert (await remote.get("/metrics")).status_code == 404  # no token configured: loopback only
    monkeypatch.setattr(get_settings(), "metrics_token", "s3cret-scrape-token")
    async with remote_client(app) as remote:
        refused = await remote.get("/metrics")
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert (await remote.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        assert (await remote.get("/metrics", headers={"Authorization": "Basic s3cret-scrape-token"})).status_code == 401
        allowed = await remote.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
        assert allowed.status_code == 200 and "helhedsplan_request_duration_seconds_count" in allowed.text


# ---------------------------------------------------------------- what is counted
async def ready(client) -> None:
    """The change listener is connected (on PostgreSQL it connects on the first probe): caches serve."""
    for _ in range(100):
        if (await client.get("/readyz")).status_code == 200:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not ready")


async def test_requests_are_counted_by_route_template_and_operation(client):
    plans = (await client.post("/graphql", json={"query": "{ plans(first: 1) { nodes { id } } }"})).json()
    plan_id = plans["data"]["plans"]["nodes"][0]["id"]
    path = f"/planer/{plan_id}"
    before_page = sample(
        "helhedsplan_request_duration_seconds_count", route="/planer/{id}", operation="PlanPage", status="200"
    )
    assert (await client.get(path)).status_code == 200
    assert (
        sample("helhedsplan_request_duration_seconds_count", route="/planer/{id}", operation="PlanPage", status="200")
        == before_page + 1
    )
    before_api = sample(
        "helhedsplan_request_duration_seconds_count", route="/graphql", operation="ObservedPlans", status="200"
    )
    await client.post("/graphql", json={"query": PLANS})
    await client.post("/graphql", json={"query": PLANS, "operationName": "ObservedPlans"})
    assert (
        sample("helhedsplan_request_duration_seconds_count", route="/graphql", operation="ObservedPlans", status="200")
        == before_api + 2
    )
    text = await metrics_text(client)
    assert plan_id not in text and 'route="/planer/{id}"' in text  # the template, never the raw path


def test_operation_labels_are_bounded(monkeypatch):
    monkeypatch.setattr(observability, "_operation_labels", set())
    monkeypatch.setattr(observability, "MAX_OPERATION_LABELS", 3)
    assert observability.operation_label(None) == observability.operation_label("") == "(unnamed)"
    assert observability.operation_label("PlanPage") == "PlanPage"
    assert observability.operation_label("has space") == "(other)"
    assert observability.operation_label('x"} evil{') == "(other)"
    assert observability.operation_label("A" * 81) == "(other)"
    assert observability.operation_label("Second") == "Second"
    assert observability.operation_label("Third") == "Third"
    assert observability.operation_label("Fourth") == "(other)"  # the cap
    assert observability.operation_label("PlanPage") == "PlanPage"  # already known


async def test_public_cache_hits_and_misses_are_counted(client):
    await ready(client)
    query = "query CacheCounted { urbanAreas(first: 3) { nodes { name } } }"
    misses = sample("helhedsplan_cache_lookups_total", cache="response", result="miss")
    hits = sample("helhedsplan_cache_lookups_total", cache="response", result="hit")
    await client.post("/graphql", json={"query": query})
    await client.post("/graphql", json={"query": query})
    assert sample("helhedsplan_cache_lookups_total", cache="response", result="miss") == misses + 1
    assert sample("helhedsplan_cache_lookups_total", cache="response", result="hit") == hits + 1
    # The hit is counted under its operation too, from the kept answer.
    assert (
        sample("helhedsplan_request_duration_seconds_count", route="/graphql", operation="CacheCounted", status="200")
        == 2
    )


async def test_sql_statements_per_request_are_counted(client, caplog):
    query = "query CountedStatements { plans(first: 3) { nodes { name activities(first: 2) { nodes { title } } } } }"
    before = sample("helhedsplan_sql_statements_total", route="/graphql", operation="CountedStatements")
    with caplog.at_level(logging.INFO, logger="helhedsplan.request"):
        await client.post("/graphql", json={"query": query})
    counted = sample("helhedsplan_sql_statements_total", route="/graphql", operation="CountedStatements") - before
    assert counted >= 2  # plans, then their activities
    line = [r for r in caplog.records if r.name == "helhedsplan.request"][-1]
    assert line.request["sql_statements"] == counted


def test_query_cost_hook():
    before = sample("helhedsplan_graphql_query_cost_count")
    observability.observe_query_cost(420)
    assert sample("helhedsplan_graphql_query_cost_count") == before + 1
    assert sample("helhedsplan_graphql_query_cost_bucket", le="1000.0") >= 1


def test_open_websockets_are_a_gauge():
    from backend.app import create_app

    client = TestClient(create_app())  # no lifespan: the shared engine stays open for the other tests
    assert sample("helhedsplan_websocket_connections") == 0
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json()["type"] == "connection_ack"
        assert sample("helhedsplan_websocket_connections") == 1
    assert sample("helhedsplan_websocket_connections") == 0


# ---------------------------------------------------------------- the request log line
async def test_one_log_line_per_request_with_its_fields(client, caplog):
    with caplog.at_level(logging.INFO, logger="helhedsplan.request"):
        response = await client.post("/graphql", json={"query": PLANS}, headers={"X-Request-ID": "trace-42"})
    lines = [r for r in caplog.records if r.name == "helhedsplan.request"]
    assert len(lines) == 1
    fields = json.loads(observability.JsonFormatter().format(lines[0]))
    assert fields["request_id"] == "trace-42" == response.headers["x-request-id"]
    assert (fields["route"], fields["operation"], fields["status"], fields["actor"]) == (
        "/graphql",
        "ObservedPlans",
        200,
        "anonymous",
    )
    assert fields["duration_ms"] >= 0 and "sql_statements" in fields and fields["level"] == "INFO"


# ---------------------------------------------------------------- health
async def test_healthz_is_alive_without_the_database(client, monkeypatch):
    def no_database():
        raise ConnectionError("the database is down")

    monkeypatch.setattr(health, "get_async_engine", no_database)
    alive = await client.get("/healthz")
    assert alive.status_code == 200 and alive.json() == {"status": "alive"}
    ready = await client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "unavailable"
    assert "down" not in ready.text  # no details of the failure


async def test_readyz_checks_the_database_migrations_and_listener(client, monkeypatch):
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "change_listener": "ok"},
    }
    monkeypatch.setattr(health, "migration_heads", lambda: frozenset({"a_newer_revision"}))
    behind = await client.get("/readyz")
    assert behind.status_code == 503 and behind.json()["checks"]["migrations"] == "not at head"
    monkeypatch.undo()
    monkeypatch.setattr(health.changes, "shared", lambda: False)
    deaf = await client.get("/readyz")
    assert deaf.status_code == 503 and deaf.json()["checks"]["change_listener"] == "not connected"


async def test_metrics_give_the_mail_outbox_backlog(client):
    """Waiting and failed mails, counted in the database when scraped (the same for every worker)."""
    from sqlalchemy import delete, select
    from sqlmodel import col

    from backend.db import new_session
    from backend.models import Account, MailStatus, OutboxMail

    def backlog(text: str) -> dict[str, float]:
        found = {}
        for line in text.splitlines():
            if line.startswith("helhedsplan_mail_outbox{"):
                labels, value = line.rsplit(" ", 1)
                found[labels.split('status="')[1].split('"')[0]] = float(value)
        return found

    before = backlog((await client.get("/metrics")).text)
    assert set(before) == {"pending", "failed"}
    async with new_session() as s:
        account_id = (await s.execute(select(col(Account.id)).limit(1))).scalar_one()
        rows = [
            OutboxMail(account_id=account_id, kind="TEST", subject="Backlog", status=status)
            for status in (MailStatus.PENDING, MailStatus.PENDING, MailStatus.FAILED, MailStatus.SENT)
        ]
        s.add_all(rows)
        await s.commit()
        ids = [row.id for row in rows]
    try:
        after = backlog((await client.get("/metrics")).text)
        assert after == {"pending": before["pending"] + 2, "failed": before["failed"] + 1}
    finally:
        async with new_session() as s:
            await s.execute(delete(OutboxMail).where(col(OutboxMail.id).in_(ids)))
            await s.commit()
