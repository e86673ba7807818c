"""The notifications service on its own: many recipients in one change, and what each recipient's live
event names (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlmodel import col

from backend.db import new_session
from backend.models import Account, ActorKind, LiveEvent, Notification, Residency
from backend.services import groups, notifications
from backend.settings import get_settings
from tests.services.world import build_world, call, scalar

RESIDENTS = 600  # one live event naming them all would pass PostgreSQL's 8000 bytes of NOTIFY


async def test_a_meeting_reaches_every_resident_of_the_group_in_a_few_events():
    w = await build_world()
    async with new_session() as s:
        accounts = [
            Account(issuer="test", subject=f"many-{i}-{w.tag}", kind=ActorKind.RESIDENT, display_name="B")
            for i in range(RESIDENTS)
        ]
        s.add_all(accounts)
        await s.flush()
        s.add_all(
            Residency(account_id=a.id, estate_id=w.estate_id, since=date(2020, 1, 1), confirmed_by="STAFF")
            for a in accounts
        )
        await s.commit()
        w.accounts.update({f"many-{i}": a.id for i, a in enumerate(accounts) if a.id is not None})
    before = await scalar(select(func.max(LiveEvent.id))) or 0
    meeting = await call(
        groups.create_meeting,
        actor=w.actor("housing"),
        group_id=w.group_id,
        starts_at=datetime(2026, 12, 1, 17, tzinfo=UTC),
    )
    told = (
        select(func.count())
        .select_from(Notification)
        .where(col(Notification.subject_type) == "Meeting", col(Notification.subject_id) == meeting.id)
    )
    assert await scalar(told) == RESIDENTS + 1  # the world's own resident too
    if get_settings().is_sqlite:
        async with new_session() as s:
            rows = (
                await s.execute(
                    select(LiveEvent).where(col(LiveEvent.id) > before, col(LiveEvent.topic) == "notificationReceived")
                )
            ).scalars()
            payloads = [r.payload for r in rows]
        assert len(payloads) == 4  # 601 recipients, 200 to an event
        named = [a for p in payloads for a in p["account_ids"]]
        assert sorted(named) == sorted([w.accounts["resident"], *(w.accounts[f"many-{i}"] for i in range(RESIDENTS))])
        assert all(len(p["account_ids"]) == len(p["notification_ids"]) for p in payloads)


async def test_notify_tells_nobody_when_the_only_recipient_is_the_actor():
    w = await build_world()
    async with new_session() as s:
        written = await notifications.notify(
            s,
            actor=w.actor("resident"),
            kind=notifications.K.ACTIVITY_CHANGED,
            subject=("Activity", w.activity_id),
            recipients=[w.accounts["resident"]],
            names={"activity": "x"},
            link_path="/aktiviteter",
        )
        await s.commit()
    assert written == 0
    own = col(Notification.account_id) == w.accounts["resident"]
    assert await scalar(select(func.count()).select_from(Notification).where(own)) == 0
