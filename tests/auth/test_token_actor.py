"""A bearer token's actor is remembered per worker (auth/actor_cache.py), and a resident's input costs at
most five statements on PostgreSQL (issue #14, goal 4): what is remembered never outlives the change
that ends it, in this worker or, through the broker, in another."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

import psycopg
import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlmodel import col

from auth import actor_cache
from backend import changes, clock, events, listener, policy
from backend.actor import Actor
from backend.db import get_async_engine, new_session
from backend.models import Account, ActorKind, FollowUpGroup, FollowUpGroupEstate, Plan, Residency, ResidentInput
from backend.settings import get_settings
from schema.ids import encode
from tests.schema.test_n_plus_one import recorded_statements

SUBMIT = """mutation($input: ResidentInputSubmitInput!) { residentInputSubmit(input: $input) {
  residentInput { id status createdAt } errors { code } } }"""
VIEWER = "{ viewer { kind residentId residencies { id } } }"
END = """mutation($id: ID!) { residencyEnd(input: {residencyId: $id}) { residency { until } errors { code } } }"""
ERASE = "mutation { viewerErase(input: {confirm: true}) { erased errors { code } } }"
# The sign-in's statements: the account of the claims (auth/accounts.py) and the resident's scope (backend/actor.py).
SIGN_IN = ("SELECT account.id, account.issuer", "SELECT residency.estate_id, followupgroupestate.group_id")


@pytest.fixture
async def resident(idp):
    """(token, account id, group id, residency id): a new resident living in an estate of a public plan's group."""
    sub = f"beboer-cache-{uuid.uuid4().hex[:10]}"
    token = idp.sign("dev-borger", idp.claims("dev-borger", sub, name="Cachebeboer"))
    async with new_session() as s:
        group_id, estate_id = (
            await s.execute(
                select(col(FollowUpGroupEstate.group_id), col(FollowUpGroupEstate.estate_id))
                .join(FollowUpGroup, col(FollowUpGroup.id) == col(FollowUpGroupEstate.group_id))
                .join(Plan, col(Plan.id) == col(FollowUpGroup.plan_id))
                .where(col(Plan.status).in_(policy.PUBLIC_PLAN_STATUSES))
                .order_by(col(FollowUpGroupEstate.group_id))
                .limit(1)
            )
        ).one()
        account = Account(issuer="dev-borger", subject=sub, kind=ActorKind.RESIDENT, display_name="Cachebeboer")
        s.add(account)
        await s.flush()
        residency = Residency(
            account_id=account.id, estate_id=estate_id, since=clock.today() - timedelta(days=30), confirmed_by="STAFF"
        )
        s.add(residency)
        await s.commit()
        ids = (account.id, group_id, residency.id)
    if not get_settings().is_sqlite:
        changes.ensure_listening()
        await listener.wait_connected()  # entries are kept only while other workers' changes are heard
    return token, *ids


def _submission(group_id: int, title: str) -> dict:
    return {"input": {"groupId": encode("FollowUpGroup", group_id), "title": title, "body": "Flere bænke."}}


async def _submit(graphql, token: str, group_id: int, title: str) -> tuple[dict, list[str]]:
    with recorded_statements() as statements:
        body = await graphql(SUBMIT, _submission(group_id, title), token=token)
    return body["data"]["residentInputSubmit"], statements


def _sign_in_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith(SIGN_IN)]


async def test_a_second_request_with_the_token_reads_no_account(graphql, resident):
    token, account_id, _group, _residency = resident
    await graphql(VIEWER, token=token)  # signs in: the account's last_seen_at is kept as before
    with recorded_statements() as statements:
        body = await graphql(VIEWER, token=token)
    assert body["data"]["viewer"]["kind"] == "RESIDENT"
    assert _sign_in_statements(statements) == [], statements
    async with new_session() as s:
        assert (await s.get(Account, account_id)).last_seen_at is not None


async def test_a_submission_costs_at_most_five_statements_on_postgresql(graphql, resident):
    token, account_id, group_id, _residency = resident
    await _submit(graphql, token, group_id, "Opvarmning")
    answer, statements = await _submit(graphql, token, group_id, "Bænke")
    assert answer["errors"] == [], answer
    assert answer["residentInput"]["status"] == "RECEIVED"
    async with new_session() as s:
        stored = (
            await s.execute(select(ResidentInput).where(col(ResidentInput.author_account_id) == account_id))
        ).scalars()
        by_id = {encode("ResidentInput", row.id): row for row in stored}
    row = by_id[answer["residentInput"]["id"]]  # the answer is the stored row, not read again
    answered_at = datetime.fromisoformat(answer["residentInput"]["createdAt"])
    assert row.title == "Bænke" and answered_at.replace(tzinfo=None) == row.created_at.replace(tzinfo=None)
    if not get_settings().is_sqlite:  # SQLite forgets the actor at any write and takes the long way
        assert _sign_in_statements(statements) == [], statements
        assert len(statements) <= 5, "\n".join(statements)


async def test_after_moving_out_the_token_can_no_longer_submit_to_the_old_group(graphql, resident):
    token, _account, group_id, residency_id = resident
    assert (await _submit(graphql, token, group_id, "Før"))[0]["errors"] == []
    ended = await graphql(END, {"id": encode("Residency", residency_id)}, token=token)
    assert ended["data"]["residencyEnd"]["errors"] == []
    answer, _statements = await _submit(graphql, token, group_id, "Efter")
    assert [e["code"] for e in answer["errors"]] == ["NOT_FOUND"]


async def test_after_erasure_the_still_valid_token_is_a_new_account_that_cannot_submit(graphql, resident):
    token, account_id, group_id, _residency = resident
    assert (await _submit(graphql, token, group_id, "Før"))[0]["errors"] == []
    assert (await graphql(ERASE, token=token))["data"]["viewerErase"]["erased"] is True
    answer, _statements = await _submit(graphql, token, group_id, "Efter")
    assert [e["code"] for e in answer["errors"]] == ["NOT_FOUND"]
    viewer = (await graphql(VIEWER, token=token))["data"]["viewer"]
    assert viewer["residentId"] != encode("Resident", account_id) and viewer["residencies"] == []


async def _moved_out_by_another_worker(account_id: int) -> None:
    """Another worker ends the residency: its own connection, none of this process's hooks; on PostgreSQL
    it publishes accountChanged as the service does, which reaches this worker only through LISTEN."""
    settings = get_settings()
    yesterday = clock.today() - timedelta(days=1)
    if settings.is_sqlite:
        async with get_async_engine().connect() as conn:  # a write to the file, as any process's would be
            await conn.execute(update(Residency).where(col(Residency.account_id) == account_id).values(until=yesterday))
            await conn.commit()
        return
    url = make_url(settings.async_database_url).set(drivername="postgresql").render_as_string(hide_password=False)
    async with await psycopg.AsyncConnection.connect(url) as conn:
        await conn.execute("UPDATE residency SET until = %s WHERE account_id = %s", (yesterday, account_id))
        payload = f'{{"topic": "{events.ACCOUNT_CHANGED}", "account_id": {account_id}}}'
        await conn.execute("SELECT pg_notify(%s, %s)", (events.CHANNEL, payload))
        await conn.commit()


async def test_a_residency_ended_by_another_worker_ends_the_remembered_actor(graphql, resident):
    token, account_id, group_id, _residency = resident
    assert (await _submit(graphql, token, group_id, "Før"))[0]["errors"] == []
    await graphql(VIEWER, token=token)  # remembered again after the write (SQLite forgets at any write)
    assert actor_cache.get(actor_cache.key_of(token)) is not None
    await _moved_out_by_another_worker(account_id)
    async with asyncio.timeout(10):
        while actor_cache.get(actor_cache.key_of(token)) is not None:
            await asyncio.sleep(0.01)  # the notification is on its way to this worker's listener
    answer, _statements = await _submit(graphql, token, group_id, "Efter")
    assert [e["code"] for e in answer["errors"]] == ["NOT_FOUND"]


async def test_a_residency_ended_unheard_still_ends_the_right_to_submit(graphql, resident):
    """Should an event be lost, the statement that writes checks today's residency itself."""
    token, account_id, group_id, _residency = resident
    assert (await _submit(graphql, token, group_id, "Før"))[0]["errors"] == []
    async with new_session() as s:
        yesterday = clock.today() - timedelta(days=1)
        await s.execute(update(Residency).where(col(Residency.account_id) == account_id).values(until=yesterday))
        await s.commit()
    answer, _statements = await _submit(graphql, token, group_id, "Efter")
    assert [e["code"] for e in answer["errors"]] == ["NOT_FOUND"]


async def test_an_entry_is_served_only_while_other_workers_are_heard(graphql, resident):
    token, _account, _group, _residency = resident
    await graphql(VIEWER, token=token)
    await graphql(VIEWER, token=token)
    key = actor_cache.key_of(token)
    assert actor_cache.get(key) is not None
    actor_cache.drop(None)  # as when the LISTEN connection is lost or comes back
    assert actor_cache.get(key) is None


async def test_the_cache_keeps_at_most_the_configured_entries(monkeypatch):
    monkeypatch.setattr(get_settings(), "token_actor_entries", 2)
    actor_cache.drop(None)
    if not get_settings().is_sqlite:
        changes.ensure_listening()
        await listener.wait_connected()
    actors = [_actor(i) for i in range(3)]
    for i, actor in enumerate(actors):
        actor_cache.put(f"k{i}", actor, float("inf"), actor_cache.ticket())
    assert actor_cache.get("k0") is None and actor_cache.get("k2") == actors[2]


def _actor(n: int) -> Actor:
    """An actor of no stored account (the cache does not look)."""
    return Actor(kind=ActorKind.RESIDENT, account_id=-1000 - n, display_name="x")


async def test_a_drop_during_the_load_keeps_the_loaded_actor_out():
    taken = actor_cache.ticket()
    actor_cache.drop(12345)  # a change published while the actor was being loaded
    actor_cache.put("during-load", _actor(1), float("inf"), taken)
    assert actor_cache.get("during-load") is None
