"""Follow-up groups (følgegrupper): the group, its members as shown publicly, and meetings with minutes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import audit, policy
from backend.actor import Actor
from backend.models import FollowUpGroup, FollowUpGroupEstate, GroupMember, Meeting, Plan, PlanEstate, max_length, pk
from backend.services import versions
from backend.services.errors import NotFound
from backend.services.validation import UNSET, Checker, Unset, get_or_404, referenced

GROUP_DA, GROUP_EN = "Følgegruppen", "The follow-up group"


async def _managed_group(
    session: AsyncSession, actor: Actor | None, group_id: int | None, field: str = "groupId"
) -> FollowUpGroup:
    group = await get_or_404(session, FollowUpGroup, group_id, field, GROUP_DA, GROUP_EN)
    if not policy.can_manage_plan(actor, group.plan_id):
        raise NotFound(field, GROUP_DA, GROUP_EN)
    return group


def _group_name(check: Checker, name: str | None) -> str | None:
    return check.text(
        "name",
        name,
        max_len=max_length(FollowUpGroup, "name"),
        label_da="Navnet",
        label_en="The name",
        single_line=True,
    )


def _group_description(check: Checker, description: str | None) -> str | None:
    return check.text(
        "description",
        description,
        max_len=max_length(FollowUpGroup, "description"),
        required=False,
        label_da="Beskrivelsen",
        label_en="The description",
    )


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
    name = _group_name(check, name)
    description = _group_description(check, description)
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
    new_name = _group_name(check, name) if name is not UNSET else group.name
    new_description = _group_description(check, description) if description is not UNSET else group.description
    new_name = check.done(new_name)
    before = audit.snapshot(group)
    group.name, group.description = new_name, new_description
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
    display_name = check.text(
        "displayName",
        display_name,
        max_len=max_length(GroupMember, "display_name"),
        label_da="Navnet",
        label_en="The name",
        single_line=True,
    )
    role = check.text(
        "role", role, max_len=max_length(GroupMember, "role"), label_da="Rollen", label_en="The role", single_line=True
    )
    display_name = check.done(display_name)
    role = check.done(role)
    member = GroupMember(group_id=pk(group), display_name=display_name, role=role)
    session.add(member)
    await session.flush()
    await audit.record(session, actor=actor, action="groupMember.add", obj=member, plan_id=group.plan_id)
    return member


def _meeting_texts(
    check: Checker,
    *,
    location: str | None | Unset = UNSET,
    agenda: str | None | Unset = UNSET,
    minutes: str | None | Unset = UNSET,
) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    if location is not UNSET:
        out["location"] = check.text(
            "location",
            location,
            max_len=max_length(Meeting, "location"),
            required=False,
            label_da="Stedet",
            label_en="The location",
            single_line=True,
        )
    if agenda is not UNSET:
        out["agenda"] = check.text(
            "agenda",
            agenda,
            max_len=max_length(Meeting, "agenda"),
            required=False,
            label_da="Dagsordenen",
            label_en="The agenda",
        )
    if minutes is not UNSET:
        out["minutes"] = check.text(
            "minutes",
            minutes,
            max_len=max_length(Meeting, "minutes"),
            required=False,
            label_da="Referatet",
            label_en="The minutes",
        )
    return out


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
    texts = _meeting_texts(check, location=location, agenda=agenda, minutes=minutes)
    starts_at = check.done(starts_at)
    meeting = Meeting(group_id=pk(group), starts_at=starts_at)
    for key, value in texts.items():
        setattr(meeting, key, value)
    session.add(meeting)
    await session.flush()
    await audit.record(session, actor=actor, action="meeting.create", obj=meeting, plan_id=group.plan_id)
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
    texts = _meeting_texts(check, location=location, agenda=agenda, minutes=minutes)
    check.done()
    before = audit.snapshot(meeting)
    if starts_at is not None:
        meeting.starts_at = starts_at
    for key, value in texts.items():
        setattr(meeting, key, value)
    await versions.save(session, meeting, expected_version, field="meetingId")
    await audit.record(session, actor=actor, action="meeting.update", obj=meeting, plan_id=group.plan_id, before=before)
    return meeting
