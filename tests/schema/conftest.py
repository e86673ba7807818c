"""Helpers for the schema tests: demo actors and in-process execution."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import col

from backend.actor import Actor, load_actor
from backend.db import session_scope
from backend.models import Account
from schema.api import execute


async def demo_actor(subject: str) -> Actor:
    """The actor of a demo account (by its subject, e.g. "fsb-medarbejder"), with its scope."""
    async with session_scope() as session:
        account = (await session.execute(select(Account).where(col(Account.subject) == subject))).scalar_one()
        return await load_actor(session, account)


@pytest.fixture
def actor():
    return demo_actor


@pytest.fixture
def run():
    """`await run(query, variables=None, actor=None)` -> data, asserting there were no errors."""

    async def _run(query: str, variables: dict | None = None, actor: Actor | None = None):
        result = await execute(query, variables, actor=actor)
        assert result.errors is None, [e.message for e in result.errors]
        return result.data

    return _run


@pytest.fixture
def without_cost_limit():
    """For tests of the executor on queries that ask for every relation at once (costs far above what a
    client may ask, schema/limits.py): the cost limit is lifted, everything else stays. (Not with
    monkeypatch: some of these tests undo their own monkeypatching halfway.)"""
    from schema import limits

    saved = limits.ANONYMOUS_COST_LIMIT, limits.STAFF_COST_LIMIT
    limits.ANONYMOUS_COST_LIMIT = limits.STAFF_COST_LIMIT = 10**12
    try:
        yield
    finally:
        limits.ANONYMOUS_COST_LIMIT, limits.STAFF_COST_LIMIT = saved
