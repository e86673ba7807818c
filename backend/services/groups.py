"""Follow-up groups (følgegrupper): the group, its members as shown publicly, and meetings with minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import audit, events, policy
from backend.actor import Actor
from backend.models import FollowUpGroup, FollowUpGroupEstate, GroupMember, Meeting, Plan, PlanEstate, pk
from backend.services import notifications, versions
from backend.services.errors import NotFound
from backend.services.validation import UNSET, Checker, TextField, Unset, get_or_404, referenced

GROUP_DA, GROUP_EN = "Følgegruppen", "The follow-up group"


async def _managed_group(
    session: AsyncSession, actor: Actor | None, group_id: int | None, field: str = "groupId"
) -> FollowUpGroup:
    group = await get_or_404(session, FollowUpGroup, group_id, field, GROUP_DA, GROUP_EN)
    if not policy.can_manage_plan(actor, group.plan_id):
        raise NotFound(field, GROUP_DA, GROUP_EN)
    return group


GROUP_NAME = TextField("name", "Navnet", "The name", single_line=True)
GROUP_DESCRIPTION = TextField("description", "Beskrivelsen", "The description", required=False)


async def create_group(
    *,
    session: AsyncSession,
    actor: Actor | None,
    plan_id: int | None,
    name: str | None,
    description: str | None = None,
    estate_ids: list[int] | None = None,
) -> FollowUpGroup:
    plan = await get_or_404(session, Plan, plan_id, "planId", "Helhedsplanen", "The plan")
    if not policy.can_manage_plan(actor, pk(plan)):
        raise NotFound("planId", "Helhedsplanen", "The plan")
    check = Checker()
    name = check.column(FollowUpGroup, GROUP_NAME, name)
    description = check.column(FollowUpGroup, GROUP_DESCRIPTION, description)
    estate_ids = list(dict.fromkeys(estate_ids or []))
    plan_estates = set(
        (await session.execute(select(col(PlanEstate.estate_id)).where(col(PlanEstate.plan_id) == plan.id))).scalars()
    )
    for i, estate in enumerate(estate_ids):
        if estate not in plan_estates:
            check.add(
                f"estateIds[{i}]",
                "NOT_FOUND",
                "Afdelingen hører ikke til helhedsplanen.",
                "The housing estate is not covered by the plan.",
            )
    name = check.done(name)
    group = FollowUpGroup(plan_id=pk(plan), name=name, description=description)
    session.add(group)
    await session.flush()
    for estate in estate_ids:
        session.add(FollowUpGroupEstate(group_id=pk(group), estate_id=estate))
    await session.flush()
    if estate_ids:  # the estates' residents may now give input to it: every remembered actor goes
        await events.publish(session, events.ACCOUNT_CHANGED, account_id=None)
    after = audit.snapshot(group)
    after["estate_ids"] = estate_ids
    await audit.record(session, actor=actor, action="followUpGroup.create", obj=group, plan_id=plan.id, after=after)
    return group


async def update_group(
    *,
    session: AsyncSession,
    actor: Actor | None,
    group_id: int | None,
    name: str | None | Unset = UNSET,
    description: str | None | Unset = UNSET,
    expected_version: int | None = None,
) -> FollowUpGroup:
    """Staff of the plan change a group's name or description (null clears the description)."""
    group = await _managed_group(session, actor, group_id)
    await versions.expect(session, group, expected_version, field="groupId")
    check = Checker()
    texts = check.columns(FollowUpGroup, (GROUP_NAME, GROUP_DESCRIPTION), name=name, description=description)
    new_name = check.done(texts.get("name", group.name))
    before = audit.snapshot(group)
    group.name, group.description = new_name, texts.get("description", group.description)
    await versions.save(session, group, expected_version, field="groupId")
    await audit.record(
        session, actor=actor, action="followUpGroup.update", obj=group, plan_id=group.plan_id, before=before
    )
    return group


async def add_member(
    *, session: AsyncSession, actor: Actor | None, group_id: int | None, display_name: str | None, role: str | None
) -> GroupMember:
    group = await _managed_group(session, actor, group_id)
    check = Checker()
    display_name = check.column(
        GroupMember, TextField("display_name", "Navnet", "The name", single_line=True), display_name
    )
    role = check.column(GroupMember, TextField("role", "Rollen", "The role", single_line=True), role)
    display_name = check.done(display_name)
    role = check.done(role)
    member = GroupMember(group_id=pk(group), display_name=display_name, role=role)
    return await audit.created(session, member, actor=actor, action="groupMember.add", plan_id=group.plan_id)


MEETING_TEXTS = (
    TextField("location", "Stedet", "The location", required=False, single_line=True),
    TextField("agenda", "Dagsordenen", "The agenda", required=False),
    TextField("minutes", "Referatet", "The minutes", required=False),
)


async def create_meeting(
    *,
    session: AsyncSession,
    actor: Actor | None,
    group_id: int | None,
    starts_at: datetime | None,
    location: str | None = None,
    agenda: str | None = None,
    minutes: str | None = None,
) -> Meeting:
    group = await _managed_group(session, actor, group_id)
    check = Checker()
    starts_at = check.plan_moment("startsAt", starts_at, await referenced(session, Plan, group.plan_id))
    texts = check.columns(Meeting, MEETING_TEXTS, location=location, agenda=agenda, minutes=minutes)
    starts_at = check.done(starts_at)
    meeting = Meeting(group_id=pk(group), starts_at=starts_at)
    for key, value in texts.items():
        setattr(meeting, key, value)
    meeting = await audit.created(session, meeting, actor=actor, action="meeting.create", plan_id=group.plan_id)
    await notifications.meeting_changed(session, actor, meeting, group, created=True)
    return meeting


async def update_meeting(
    *,
    session: AsyncSession,
    actor: Actor | None,
    meeting_id: int | None,
    starts_at: datetime | None = None,
    location: str | None | Unset = UNSET,
    agenda: str | None | Unset = UNSET,
    minutes: str | None | Unset = UNSET,
    expected_version: int | None = None,
) -> Meeting:
    meeting = await get_or_404(session, Meeting, meeting_id, "meetingId", "Mødet", "The meeting")
    group = await referenced(session, FollowUpGroup, meeting.group_id)
    if not policy.can_manage_plan(actor, group.plan_id):
        raise NotFound("meetingId", "Mødet", "The meeting")
    await versions.expect(session, meeting, expected_version, field="meetingId")
    check = Checker()
    if starts_at is not None:
        starts_at = check.plan_moment("startsAt", starts_at, await referenced(session, Plan, group.plan_id))
    texts = check.columns(Meeting, MEETING_TEXTS, location=location, agenda=agenda, minutes=minutes)
    check.done()
    before = audit.snapshot(meeting)
    was_at, was_where = meeting.starts_at, meeting.location
    if starts_at is not None:
        meeting.starts_at = starts_at
    for key, value in texts.items():
        setattr(meeting, key, value)
    await versions.save(session, meeting, expected_version, field="meetingId")
    await audit.record(session, actor=actor, action="meeting.update", obj=meeting, plan_id=group.plan_id, before=before)
    if notifications.moved(was_at, was_where, meeting):
        await notifications.meeting_changed(session, actor, meeting, group, created=False)
    return meeting
