"""A residency grants nothing from the moment it is ended, and "today" is Copenhagen's day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from backend import clock
from backend.actor import load_actor
from backend.db import new_session
from backend.models import Account, Residency
from backend.services import NotFound, ValidationFailed, inputs, residency
from tests.services.world import build_world, call


async def _fresh_actor(account_id: int):
    """The actor as the next request loads it."""
    async with new_session() as s:
        account = await s.get(Account, account_id)
        assert account is not None
        return await load_actor(s, account)


async def _residency_id(account_id: int) -> int:
    async with new_session() as s:
        found = (await s.execute(select(col(Residency.id)).where(col(Residency.account_id) == account_id))).scalar_one()
        assert found is not None  # a stored row's id
        return found


@pytest.mark.parametrize("ended_by", ["housing", "resident"])
async def test_ended_today_refuses_input_at_once(ended_by):
    world = await build_world()
    account_id = world.accounts["resident"]
    before = await _fresh_actor(account_id)
    assert world.group_id in before.group_ids
    await call(residency.end, actor=world.actor(ended_by), residency_id=await _residency_id(account_id))

    after = await _fresh_actor(account_id)
    assert after.group_ids == frozenset() and after.estate_ids == frozenset()
    with pytest.raises(NotFound):
        await call(
            inputs.submit,
            actor=after,
            group_id=world.group_id,
            title="Efter fraflytning",
            body="Dette input må ikke komme igennem.",
        )
    # Ended is ended: the services agree with the actor.
    with pytest.raises(ValidationFailed) as exc:
        await call(residency.end, actor=world.actor("housing"), residency_id=await _residency_id(account_id))
    assert exc.value.errors[0].code == "INVALID_TRANSITION"


async def test_an_end_tomorrow_still_grants_today_and_the_resident_can_be_linked_again_after_an_end():
    world = await build_world()
    account_id = world.accounts["resident"]
    rid = await _residency_id(account_id)
    await call(residency.end, actor=world.actor("housing"), residency_id=rid, until=clock.today() + timedelta(days=1))
    assert world.group_id in (await _fresh_actor(account_id)).group_ids
    # Ended today: a new residency in the same estate may start today.
    async with new_session() as s:
        row = await s.get(Residency, rid)
        row.until = clock.today()
        await s.commit()
    again = await call(
        residency.confirm, actor=world.actor("housing"), account_id=account_id, estate_id=world.estate_id
    )
    assert again.since == clock.today()


def test_today_is_the_day_in_copenhagen(monkeypatch):
    # 23:30 UTC on 31 December is already New Year's Day in Copenhagen (UTC+1 in winter).
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2027, 1, 1)
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 6, 30, 21, 59, tzinfo=UTC))
    assert clock.today() == date(2026, 6, 30)
