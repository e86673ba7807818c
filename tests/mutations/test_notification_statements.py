"""Notifying many costs the SQL statements of notifying one (issue #12, point 8).

Each write that notifies runs through the API once as a control, then again after more recipients
were added (with confirmed addresses and mail on, some taking the daily digest): the statement count
must not grow. A warm-up run first, so that nothing cached on the first run could hide a statement.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlmodel import col

from backend import clock
from backend.db import new_session
from backend.models import (
    Account,
    ActivityFollow,
    ActorKind,
    EmailFrequency,
    MailAddress,
    MailDigestItem,
    Notification,
    NotificationKind,
    NotificationPreference,
    Occurrence,
    OutboxMail,
    Residency,
    pk,
)
from tests.mutations.helpers import gid, gql, payload_of
from tests.schema.test_n_plus_one import recorded_statements
from tests.services.world import World, build_world, scalar

MORE = 5  # recipients added between the control and the measured run

SUBMIT = """mutation($input: ResidentInputSubmitInput!) { residentInputSubmit(input: $input) {
  residentInput { id } errors { code } } }"""
CANCEL = """mutation($input: OccurrenceCancelInput!) { occurrenceCancel(input: $input) {
  occurrence { id } errors { code } } }"""
MEETING = (
    """mutation($input: MeetingCreateInput!) { meetingCreate(input: $input) { meeting { id } errors { code } } }"""
)


async def _statements(w: World, who: str, document: str, input: dict) -> int:
    with recorded_statements() as statements:
        payload = payload_of(await gql(document, {"input": input}, actor=w.actor(who)))
    assert payload["errors"] == [], payload
    return len(statements)


async def _with_mail(account_ids: list[int], *, digest: NotificationKind | None = None) -> None:
    """Confirmed addresses with mail on; with `digest`, the accounts take that kind as the daily digest."""
    async with new_session() as s:
        for account_id in account_ids:
            s.add(MailAddress(account_id=account_id, address=f"n{account_id}@example.org", confirmed_at=clock.now()))
            if digest is not None:
                s.add(NotificationPreference(account_id=account_id, kind=digest, email=EmailFrequency.DAILY))
        await s.commit()


async def _accounts(w: World, name: str, kind: ActorKind, **refs: Any) -> list[int]:
    async with new_session() as s:
        accounts = [
            Account(issuer="test", subject=f"{name}-{i}-{w.tag}", kind=kind, display_name=name, **refs)
            for i in range(MORE)
        ]
        s.add_all(accounts)
        await s.commit()
        ids = [pk(a) for a in accounts]
    w.accounts.update({f"{name}-{i}": account_id for i, account_id in enumerate(ids)})
    return ids


async def _count(model: Any, account_ids: list[int], *where: ColumnElement[bool]) -> int:
    """How many rows of a table (with an account_id) belong to these accounts."""
    return await scalar(select(func.count()).select_from(model).where(col(model.account_id).in_(account_ids), *where))


async def test_a_submission_costs_the_same_statements_for_two_staff_as_for_seven():
    w = await build_world()
    await _with_mail([w.accounts["housing"]])
    await _with_mail([w.accounts["municipality"]], digest=NotificationKind.INPUT_RECEIVED)
    group = gid("FollowUpGroup", w.group_id)

    def submission(title: str) -> dict:
        return {"groupId": group, "title": title, "body": "Flere bænke ved legepladsen."}

    await _statements(w, "resident", SUBMIT, submission("Opvarmning"))
    control = await _statements(w, "resident", SUBMIT, submission("Bænke"))
    staff = await _accounts(w, "staff", ActorKind.HOUSING_ORGANISATION, housing_organisation_id=w.org_id)
    await _with_mail(staff[:-1])
    await _with_mail(staff[-1:], digest=NotificationKind.INPUT_RECEIVED)
    measured = await _statements(w, "resident", SUBMIT, submission("Lys"))
    assert measured == control, f"{control} statements for 2 staff, {measured} for {2 + MORE}"
    # The same rows as before: a notification each, mail each or in the digest, as they chose.
    everyone = [w.accounts["housing"], w.accounts["municipality"], *staff]
    assert await _count(Notification, everyone) == 3 * 2 + MORE
    assert await _count(OutboxMail, everyone) == 3 + (MORE - 1)
    assert await _count(MailDigestItem, everyone) == 3 + 1
    assert await _count(Notification, [w.accounts["resident"]]) == 0  # never the actor


async def test_cancelling_a_date_costs_the_same_statements_for_one_follower_as_for_six():
    w = await build_world()
    activity = gid("Activity", w.activity_id)
    follow = """mutation($input: ActivityFollowInput!) { activityFollow(input: $input) { errors { code } } }"""
    assert payload_of(await gql(follow, {"input": {"activityId": activity}}, actor=w.actor("resident")))["errors"] == []
    await _with_mail([w.accounts["resident"], w.accounts["partner"]])
    now = datetime.now(UTC)
    async with new_session() as s:
        dates = [
            Occurrence(
                activity_id=w.activity_id, starts_at=now + timedelta(days=d), ends_at=now + timedelta(days=d, hours=1)
            )
            for d in (20, 21, 22)
        ]
        s.add_all(dates)
        await s.commit()
        warm_up, first, second = (gid("Occurrence", pk(o)) for o in dates)
    await _statements(w, "housing", CANCEL, {"occurrenceId": warm_up})
    control = await _statements(w, "housing", CANCEL, {"occurrenceId": first})
    followers = await _accounts(w, "follower", ActorKind.RESIDENT)
    partners = await _accounts(w, "partner-staff", ActorKind.PARTNER, partner_id=w.partner_id)
    async with new_session() as s:
        s.add_all(ActivityFollow(account_id=a, activity_id=w.activity_id) for a in followers)
        await s.commit()
    await _with_mail(followers + partners)
    measured = await _statements(w, "housing", CANCEL, {"occurrenceId": second})
    assert measured == control, f"{control} statements for 2 recipients, {measured} for {2 + 2 * MORE}"
    cancelled = col(Notification.kind) == NotificationKind.OCCURRENCE_CANCELLED
    assert await _count(Notification, followers + partners, cancelled) == 2 * MORE
    assert await _count(OutboxMail, followers + partners) == 2 * MORE
    assert await _count(Notification, [w.accounts["housing"], w.accounts["other_partner"]]) == 0


async def test_a_meeting_costs_the_same_statements_for_one_resident_of_the_estate_as_for_six():
    w = await build_world()
    await _with_mail([w.accounts["resident"]])
    group = gid("FollowUpGroup", w.group_id)

    def meeting(day: int) -> dict:
        return {"groupId": group, "startsAt": datetime(2026, 12, day, 17, tzinfo=UTC).isoformat()}

    await _statements(w, "housing", MEETING, meeting(1))
    control = await _statements(w, "housing", MEETING, meeting(2))
    residents = await _accounts(w, "neighbour", ActorKind.RESIDENT)
    async with new_session() as s:
        s.add_all(
            Residency(account_id=a, estate_id=w.estate_id, since=date(2020, 1, 1), confirmed_by="STAFF")
            for a in residents
        )
        await s.commit()
    await _with_mail(residents)
    measured = await _statements(w, "housing", MEETING, meeting(3))
    assert measured == control, f"{control} statements for 1 resident, {measured} for {1 + MORE}"
    assert await _count(Notification, residents) == MORE
    assert await _count(OutboxMail, residents) == MORE
    assert await _count(Notification, [w.accounts["other_resident"]]) == 0
