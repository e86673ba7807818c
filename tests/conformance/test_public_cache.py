"""The cache of public answers: served without SQL while nothing changed, fresh after any write,
in this process and in other server processes; never for signed-in callers or mutations."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from sqlalchemy import delete, event, insert, select, text, update

from backend import changes
from backend.db import get_sync_engine
from backend.models import Partner, PartnerKind
from tests.servers import start_server, stop_server

QUERY = "query FoundationCount { partners(kind: FOUNDATION) { totalCount } }"


def add_foundation() -> None:
    with get_sync_engine().begin() as conn:
        conn.execute(insert(Partner).values(name=f"Cachetest fond {uuid.uuid4().hex[:8]}", kind=PartnerKind.FOUNDATION))


class StatementCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "after_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "after_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def _dirty_after(*statements) -> bool:
    """Whether a transaction running the statements counts as a public change (rolled back after)."""
    with get_sync_engine().connect() as conn, conn.begin() as transaction:
        for statement in statements:
            conn.execute(statement)
        dirty = changes.is_dirty(conn)
        transaction.rollback()
    return dirty


def test_public_writes_are_told_from_private_ones_by_the_statement_not_its_text():
    from backend.models import Account, Activity, WebSession

    assert _dirty_after(insert(Partner).values(name="Ændring", kind=PartnerKind.FOUNDATION))
    assert _dirty_after(update(Activity).where(Activity.id == -1).values(title="x"))
    assert _dirty_after(delete(Partner).where(Partner.id == -1))
    assert _dirty_after(text("SELECT 1"))  # text cannot be inspected: counted as a write
    assert not _dirty_after(select(Activity.id).limit(1))
    assert not _dirty_after(update(Account).where(Account.id == -1).values(display_name="x"))
    assert not _dirty_after(delete(WebSession).where(WebSession.id_hash == "none"))
    # A select whose text mentions a write is a select (the old check matched the SQL text).
    assert not _dirty_after(select(Activity.id).where(Activity.title == "UPDATE activity SET x"))


async def test_same_anonymous_query_is_served_without_sql_until_a_write(client):
    from backend.db import get_async_engine

    engine = get_async_engine().sync_engine
    await client.post("/graphql", json={"query": QUERY})  # the first connection may touch the SQLite files
    first = (await client.post("/graphql", json={"query": QUERY})).json()
    count = first["data"]["partners"]["totalCount"]
    with StatementCounter(engine) as counter:
        again = (await client.post("/graphql", json={"query": QUERY})).json()
    assert again == first
    assert counter.count == 0, "a repeated public query should come from the cache"
    add_foundation()
    after = (await client.post("/graphql", json={"query": QUERY})).json()
    assert after["data"]["partners"]["totalCount"] == count + 1


async def test_signed_in_callers_and_mutations_are_not_cached(client):
    from backend.db import get_async_engine

    engine = get_async_engine().sync_engine
    await client.post("/graphql", json={"query": QUERY})
    with StatementCounter(engine) as counter:
        # An invalid token is still a credential: the answer must come from the server, not the cache.
        response = await client.post("/graphql", json={"query": QUERY}, headers={"Authorization": "Bearer x.y.z"})
    assert response.status_code in (200, 401)
    assert counter.count > 0 or response.status_code == 401
    mutation = {"query": "mutation { __typename }"}
    one = await client.post("/graphql", json=mutation)
    two = await client.post("/graphql", json=mutation)
    assert one.status_code == two.status_code == 200


@pytest.fixture(scope="module")
def two_workers():
    process, url = start_server(workers=2)
    try:
        yield url
    finally:
        stop_server(process)


def test_a_write_in_another_process_reaches_every_worker(two_workers):
    with httpx.Client(base_url=two_workers, timeout=30) as http:
        # Warm both workers' caches (the kernel spreads new connections over them).
        before = {
            http.post("/graphql", json={"query": QUERY}, headers={"Connection": "close"}).json()["data"]["partners"][
                "totalCount"
            ]
            for _ in range(12)
        }
        assert len(before) == 1
        expected = before.pop() + 1
        add_foundation()
        # Each worker learns of the commit by a PostgreSQL notification, milliseconds later: within
        # a bounded time every worker must answer with the new count, twelve times in a row.
        in_a_row, deadline = 0, time.monotonic() + 10
        while in_a_row < 12:
            assert time.monotonic() < deadline, "a worker kept serving the answer from before the write"
            answer = http.post("/graphql", json={"query": QUERY}, headers={"Connection": "close"}).json()
            count = answer["data"]["partners"]["totalCount"]
            assert count in (expected - 1, expected)
            in_a_row = in_a_row + 1 if count == expected else 0


async def test_concurrent_identical_misses_are_computed_once(client):
    import asyncio

    from backend.db import get_async_engine

    engine = get_async_engine().sync_engine
    add_foundation()  # a fresh generation: the next request is a miss
    query = {"query": "query FoundationNames { partners(kind: FOUNDATION, first: 50) { nodes { name } } }"}
    with StatementCounter(engine) as counter:
        answers = await asyncio.gather(*[client.post("/graphql", json=query) for _ in range(5)])
    with StatementCounter(engine) as single:
        add_foundation()
        await client.post("/graphql", json=query)
    assert len({a.text for a in answers}) == 1
    # One computation (plus the write's statements in `single`) rather than five.
    assert counter.count <= single.count


async def test_in_process_public_results_are_cached_copies_until_a_write():
    from backend.db import get_async_engine
    from schema.api import execute

    engine = get_async_engine().sync_engine
    document = "query InProcessFoundations { partners(kind: FOUNDATION) { totalCount } }"
    await execute(document)
    first = await execute(document)
    first.data["partners"]["totalCount"] = -1  # a caller changing its copy changes nobody else's
    with StatementCounter(engine) as counter:
        second = await execute(document)
    assert counter.count == 0
    assert second.data["partners"]["totalCount"] >= 0
    add_foundation()
    third = await execute(document)
    assert third.data["partners"]["totalCount"] == second.data["partners"]["totalCount"] + 1


async def test_in_process_results_of_signed_in_actors_are_not_cached():
    from backend.actor import Actor
    from backend.db import get_async_engine
    from backend.models import ActorKind
    from schema.api import execute

    engine = get_async_engine().sync_engine
    actor = Actor(kind=ActorKind.FUND, account_id=-1, display_name="Tilsyn")
    document = "query SignedInFoundations { partners(kind: FOUNDATION) { totalCount } }"
    await execute(document, actor=actor)
    with StatementCounter(engine) as counter:
        result = await execute(document, actor=actor)
    assert result.errors is None and counter.count > 0


async def test_no_cached_answer_while_changes_of_other_processes_cannot_be_seen(client, monkeypatch):
    """The README's guarantee: while the LISTEN connection is lost, both doors serve nothing kept."""
    from backend.db import get_async_engine
    from schema.api import execute

    engine = get_async_engine().sync_engine
    document = "query WhileLost { partners(kind: FOUNDATION) { totalCount } }"
    await client.post("/graphql", json={"query": document})
    await execute(document)
    monkeypatch.setattr(changes, "shared", lambda: False)
    with StatementCounter(engine) as counter:
        await client.post("/graphql", json={"query": document})
        await execute(document)
    assert counter.count >= 2, "an answer was served from the cache while the listener was lost"


async def test_public_answers_expire_after_the_ttl(client, monkeypatch):
    """The README's guarantee: a public answer is served for at most 60 s, also when nothing changed."""
    from backend.db import get_async_engine
    from schema import public_cache
    from schema.api import execute

    assert public_cache.TTL_SECONDS == 60
    engine = get_async_engine().sync_engine
    document = "query Expiring { partners(kind: FOUNDATION) { totalCount } }"
    await client.post("/graphql", json={"query": document})
    await execute(document)
    later = time.monotonic() + public_cache.TTL_SECONDS + 1
    monkeypatch.setattr(public_cache, "_now", lambda: later)
    with StatementCounter(engine) as counter:
        await client.post("/graphql", json={"query": document})
        await execute(document)
    assert counter.count >= 2, "an answer older than the TTL was served"


async def test_a_cached_answer_keeps_the_security_headers_and_gets_its_own_request_id_and_route(client):
    """A hit is sent from outside the security-header middleware and the router: it carries the
    headers kept from the miss, a request id of its own (never the first caller's) and, in the
    metrics, the /graphql route."""
    from backend.observability import REGISTRY
    from backend.security_headers import SECURITY_HEADERS

    def hits_on_graphql() -> float:
        total = 0.0
        for metric in REGISTRY.collect():
            for sample in metric.samples:
                labels = sample.labels
                if sample.name.endswith("_count") and labels.get("route") == "/graphql" and "status" in labels:
                    total += sample.value if labels.get("operation") == "FoundationCount" else 0
        return total

    from schema import public_cache

    query = {"query": QUERY + " "}  # a key of its own: the first request is a miss
    await client.post("/graphql", json=query)  # the first connection may touch the SQLite files
    miss = await client.post("/graphql", json=query)
    before, hits = hits_on_graphql(), public_cache.stats["hits"]
    hit = await client.post("/graphql", json=query)
    assert public_cache.stats["hits"] == hits + 1
    assert hit.json() == miss.json()
    for name, value in SECURITY_HEADERS.items():
        assert hit.headers[name] == value
    assert hit.headers.get_list("x-request-id") == [hit.headers["x-request-id"]]  # one, not two
    assert hit.headers["x-request-id"] != miss.headers["x-request-id"]
    assert hits_on_graphql() == before + 1


def test_a_stream_of_distinct_questions_keeps_at_most_max_bytes(monkeypatch):
    """Distinct anonymous questions (a new comment each) cannot grow a process past MAX_BYTES: the least
    recently used answers go first, and the newest is kept."""
    from schema import public_cache

    public_cache.clear()
    monkeypatch.setattr(public_cache, "MAX_BYTES", 10_000)
    try:
        for n in range(50):
            public_cache._put(("operation", f"# {n}\n{{ plans {{ name }} }}", None, "{}"), 1, 0.0, b"x" * 900, 1_000)
            assert public_cache._size <= 10_000
        assert len(public_cache._entries) == 10
        assert ("operation", "# 49\n{ plans { name } }", None, "{}") in public_cache._entries
    finally:
        public_cache.clear()
