"""Household codes: wrong guesses are limited per identity (issuer and subject, so erasing the account
does not reset them), counted in the database (so across sessions, processes and restarts), and the
limit is checked before a code is looked up."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, inspect, select
from sqlmodel import col

from backend.actor import load_actor
from backend.db import new_session
from backend.models import Account, AuditEvent, Residency, ResidencyCode, ResidencyCodeAttempt, pk
from backend.services import ValidationFailed, residency
from backend.services.validation import now as real_now
from tests.services.world import build_world, call, fetch, scalar

LIMIT = residency.MAX_FAILED_ATTEMPTS


@pytest.fixture
async def world():
    return await build_world()


@pytest.fixture
def clock(monkeypatch):
    """The residency module's clock, moved forward by hand."""

    class Clock:
        offset = timedelta(0)

        def __call__(self):
            return real_now() + self.offset

    moved = Clock()
    monkeypatch.setattr(residency, "now", moved)
    return moved


async def add_code(estate_id: int, *, expires_in: timedelta = timedelta(days=30)) -> tuple[str, int]:
    code = residency.new_code()
    async with new_session() as s:
        row = ResidencyCode(
            estate_id=estate_id, code_hash=residency.code_hash(code), household="x", expires_at=real_now() + expires_in
        )
        s.add(row)
        await s.commit()
        return code, pk(row)


async def refusal(actor, code: str) -> str:
    """Each call runs in a session of its own, as separate requests (or processes) do."""
    with pytest.raises(ValidationFailed) as exc:
        await call(residency.redeem_code, actor=actor, code=code)
    return exc.value.errors[0].code


async def attempts(account_id: int) -> int:
    account = await fetch(Account, account_id)
    return await scalar(
        select(func.count())
        .select_from(ResidencyCodeAttempt)
        .where(col(ResidencyCodeAttempt.identity_key) == residency.attempt_key(account.issuer, account.subject))
    )


async def refusals_logged(account_id: int) -> list[AuditEvent]:
    async with new_session() as s:
        return list(
            (
                await s.execute(
                    select(AuditEvent).where(
                        col(AuditEvent.action) == residency.REFUSED_ACTION,
                        col(AuditEvent.actor_account_id) == account_id,
                    )
                )
            ).scalars()
        )


async def test_wrong_used_and_expired_codes_count_and_the_limit_refuses_before_lookup(world):
    resident, neighbour = world.actor("resident"), world.actor("other_resident")
    used, _ = await add_code(world.estate_id)
    await call(residency.redeem_code, actor=neighbour, code=used)
    expired, _ = await add_code(world.other_estate_id, expires_in=timedelta(minutes=-1))
    tries = [residency.new_code(), used, expired]
    for i in range(LIMIT):
        assert await refusal(resident, tries[i % 3]) == "INVALID"
        assert await attempts(resident.account_id) == i + 1
    # A valid code is now refused without being looked at: it stays unused.
    valid, valid_id = await add_code(world.other_estate_id)
    with pytest.raises(ValidationFailed) as exc:
        await call(residency.redeem_code, actor=resident, code=valid)
    error = exc.value.errors[0]
    assert (error.field, error.code) == ("code", "TOO_MANY_ATTEMPTS")
    assert error.message_da == "For mange forkerte forsøg. Prøv igen om en time."
    assert error.message_en == "Too many wrong attempts. Try again in an hour."
    assert (await fetch(ResidencyCode, valid_id)).used_at is None
    assert await refusal(resident, valid) == "TOO_MANY_ATTEMPTS"
    assert await attempts(resident.account_id) == LIMIT  # refusals are not attempts
    # The limit is per account: the neighbour is not affected.
    assert await refusal(neighbour, residency.new_code()) == "INVALID"

    # Audited once per window, ids only: no code, no household.
    events = await refusals_logged(resident.account_id)
    assert len(events) == 1
    event = events[0]
    assert (event.object_type, event.object_id, event.reason) == ("Account", resident.account_id, "TOO_MANY_ATTEMPTS")
    assert event.after == {"failed_attempts": LIMIT}
    text = repr((event.before, event.after, event.reason))
    assert valid not in text and valid.replace("-", "") not in text


async def test_missing_code_and_non_residents_are_not_counted(world):
    resident = world.actor("resident")
    assert await refusal(resident, "  -  ") == "REQUIRED"
    assert await refusal(world.actor("housing"), residency.new_code()) == "NOT_ALLOWED"
    assert await attempts(resident.account_id) == 0
    assert await attempts(world.accounts["housing"]) == 0


async def test_a_success_below_the_limit_is_not_blocked_and_not_counted(world):
    resident = world.actor("resident")
    for _ in range(LIMIT - 1):
        assert await refusal(resident, residency.new_code()) == "INVALID"
    code, _ = await add_code(world.other_estate_id)
    linked = await call(residency.redeem_code, actor=resident, code=code)
    assert (await fetch(Residency, linked.id)).estate_id == world.other_estate_id
    assert await attempts(resident.account_id) == LIMIT - 1
    # One more wrong guess reaches the limit.
    assert await refusal(resident, residency.new_code()) == "INVALID"
    assert await refusal(resident, residency.new_code()) == "TOO_MANY_ATTEMPTS"


async def test_the_limit_ends_with_the_window_and_old_attempts_are_pruned(world, clock):
    resident = world.actor("resident")
    for _ in range(LIMIT):
        assert await refusal(resident, residency.new_code()) == "INVALID"
    code, _ = await add_code(world.other_estate_id)
    clock.offset = timedelta(minutes=59)
    assert await refusal(resident, code) == "TOO_MANY_ATTEMPTS"
    clock.offset = timedelta(minutes=61)
    linked = await call(residency.redeem_code, actor=resident, code=code)
    assert linked.estate_id == world.other_estate_id
    assert await attempts(resident.account_id) == 0  # the old ones pruned, the success not kept
    # A new window: the first refusal in it is audited again.
    for _ in range(LIMIT):
        assert await refusal(resident, residency.new_code()) == "INVALID"
    assert await refusal(resident, residency.new_code()) == "TOO_MANY_ATTEMPTS"
    assert len(await refusals_logged(resident.account_id)) == 2
    clock.offset = timedelta(minutes=130)
    assert await refusal(resident, residency.new_code()) == "INVALID"  # the window slid past the first ones


async def test_parallel_attempts_cannot_pass_the_limit_together(world):
    resident = world.actor("resident")
    results = await asyncio.gather(*(refusal(resident, residency.new_code()) for _ in range(LIMIT + 5)))
    assert sorted(results) == ["INVALID"] * LIMIT + ["TOO_MANY_ATTEMPTS"] * 5
    assert await attempts(resident.account_id) == LIMIT


async def test_an_attempt_row_holds_who_and_when_only():
    async with new_session() as s:
        columns = await s.run_sync(
            lambda sync: {c["name"] for c in inspect(sync.connection()).get_columns(ResidencyCodeAttempt.__tablename__)}
        )
    assert columns == {"id", "identity_key", "at"}


async def test_own_data_export_shows_the_attempts(world):
    from backend.services import viewer

    resident = world.actor("resident")
    assert await refusal(resident, residency.new_code()) == "INVALID"
    exported = await call(viewer.export_data, actor=resident)
    assert len(exported["household_code_attempts"]) == 1
    assert len((await call(viewer.export_data, actor=world.actor("other_resident")))["household_code_attempts"]) == 0


async def test_erasing_the_account_and_signing_in_again_keeps_the_count(world):
    from backend.services import viewer

    resident = world.actor("resident")
    for _ in range(LIMIT):
        assert await refusal(resident, residency.new_code()) == "INVALID"
    old = await fetch(Account, resident.account_id)
    await call(viewer.erase, actor=resident, confirm=True)
    # The same person signs in again: a fresh account for the same issuer and subject.
    async with new_session() as s:
        again = Account(issuer=old.issuer, subject=old.subject, kind=old.kind, display_name=old.display_name)
        s.add(again)
        await s.commit()
        returned = await load_actor(s, again)
    world.accounts["resident_again"] = returned.account_id  # dropped with the world
    assert await refusal(returned, residency.new_code()) == "TOO_MANY_ATTEMPTS"
    # Another identity is not affected.
    assert await refusal(world.actor("other_resident"), residency.new_code()) == "INVALID"
