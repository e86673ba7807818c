"""The contract the notifications call: a mail is queued, in the caller's transaction, only for an account
with a confirmed address and mail on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from backend import clock
from backend.db import new_session
from backend.mail import queue_notification_mail
from backend.models import Account, MailAddress, MailDigestItem, OutboxMail
from tests.services.world import build_world, scalar


async def _queue(account_id: int, *, digest: bool = False, commit: bool = True) -> bool:
    async with new_session() as s:
        queued = await queue_notification_mail(
            s,
            account_id=account_id,
            kind="INPUT_ANSWERED",
            subject="Dit input er besvaret",
            sentence="Dit input til følgegruppen er blevet besvaret.",
            link_path="/min-side",
            digest=digest,
        )
        await (s.commit() if commit else s.rollback())
        return queued


async def _outbox(account_id: int) -> list[OutboxMail]:
    async with new_session() as s:
        return list((await s.execute(select(OutboxMail).where(col(OutboxMail.account_id) == account_id))).scalars())


async def _set_address(account_id: int, *, confirmed: bool, mail_on: bool = True) -> None:
    async with new_session() as s:
        s.add(
            MailAddress(
                account_id=account_id,
                address="beboer@example.org",
                confirmed_at=clock.now() if confirmed else None,
                mail_on=mail_on,
            )
        )
        await s.commit()


async def test_nothing_is_queued_without_a_confirmed_address_with_mail_on():
    w = await build_world()
    resident = w.accounts["resident"]
    assert await _queue(resident) is False  # no address
    await _set_address(resident, confirmed=False)
    assert await _queue(resident) is False  # given, not confirmed (double opt-in)
    other = w.accounts["other_resident"]
    await _set_address(other, confirmed=True, mail_on=False)
    assert await _queue(other) is False  # confirmed, then unsubscribed
    assert await _outbox(resident) == [] and await _outbox(other) == []


async def test_a_confirmed_address_gets_an_outbox_row_in_the_callers_transaction():
    w = await build_world()
    staff = w.accounts["housing"]
    await _set_address(staff, confirmed=True)
    async with new_session() as s:
        (await s.get(Account, staff)).language = "ar"
        await s.commit()
    assert await _queue(staff, commit=False) is True
    assert await _outbox(staff) == []  # rolled back with the caller's write: no mail about what did not happen
    assert await _queue(staff) is True
    (row,) = await _outbox(staff)
    assert row.language == "ar" and row.subject == "Dit input er besvaret" and row.kind == "INPUT_ANSWERED"
    assert row.lines == [{"text": "Dit input til følgegruppen er blevet besvaret.", "link": "/min-side"}]
    assert row.status.value == "PENDING" and row.attempts == 0


async def test_a_digest_item_waits_for_the_daily_mail():
    w = await build_world()
    staff = w.accounts["housing"]
    await _set_address(staff, confirmed=True)
    assert await _queue(staff, digest=True) is True
    assert await _outbox(staff) == []
    items = select(func.count()).select_from(MailDigestItem).where(col(MailDigestItem.account_id) == staff)
    assert await scalar(items) == 1


async def test_the_link_is_a_path_in_the_portal():
    w = await build_world()
    async with new_session() as s:
        for bad in ("https://evil.example/", "//evil.example/x", "min-side"):
            with pytest.raises(ValueError):
                await queue_notification_mail(
                    s, account_id=w.accounts["resident"], kind="K", subject="S", sentence="T", link_path=bad
                )


async def test_erasure_deletes_the_address_and_the_mail(monkeypatch):
    from backend.models import MailStatus
    from backend.services import viewer
    from tests.services.world import call, fetch

    w = await build_world()
    resident = w.accounts["resident"]
    await _set_address(resident, confirmed=True)
    assert await _queue(resident) and await _queue(resident, digest=True)
    exported = await call(viewer.export_data, actor=w.actor("resident"))
    assert exported["mail_address"]["address"] == "beboer@example.org"
    assert [m["status"] for m in exported["mails"]] == [MailStatus.PENDING.value]
    await call(viewer.erase, actor=w.actor("resident"), confirm=True)
    assert await fetch(MailAddress, resident) is None and await _outbox(resident) == []
    items = select(func.count()).select_from(MailDigestItem).where(col(MailDigestItem.account_id) == resident)
    assert await scalar(items) == 0
