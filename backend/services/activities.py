"""Activities: staff of the plan create and change them; partner staff keep their own current."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from backend import audit, bounds, events, policy
from backend.actor import Actor
from backend.models import (
    Activity,
    ActivityPartner,
    ActivityStatus,
    ActorKind,
    Agreement,
    AgreementKind,
    Occurrence,
    Partner,
    PartnerRole,
    Plan,
    ProgressNote,
    Visibility,
    pk,
)
from backend.services import notifications, versions
from backend.services.errors import FieldError, NotFound, ValidationFailed
from backend.services.validation import UNSET as _UNSET
from backend.services.validation import (
    Checker,
    TextField,
    Unset,
    focus_area_of_plan,
    get_or_404,
    now,
    referenced,
    utc,
)

ACTIVITY_DA, ACTIVITY_EN = "Aktiviteten", "The activity"
OCCURRENCE_DA, OCCURRENCE_EN = "Forekomsten", "The occurrence"
PARTICIPANTS_MAX = bounds.PARTICIPANTS_MAX
LANGUAGES_MAX = 20
R = TypeVar("R", bound=SQLModel)


async def _activity_for_update(
    session: AsyncSession, actor: Actor | None, activity_id: int | None, field: str = "activityId"
) -> Activity:
    activity = await get_or_404(session, Activity, activity_id, field, ACTIVITY_DA, ACTIVITY_EN)
    if not policy.can_update_activity(actor, activity_id=pk(activity), plan_id=activity.plan_id):
        raise NotFound(field, ACTIVITY_DA, ACTIVITY_EN)
    return activity


async def _occurrence_for_update(
    session: AsyncSession, actor: Actor | None, occurrence_id: int | None
) -> tuple[Occurrence, Activity]:
    occ = await get_or_404(session, Occurrence, occurrence_id, "occurrenceId", OCCURRENCE_DA, OCCURRENCE_EN)
    activity = await referenced(session, Activity, occ.activity_id)
    if not policy.can_update_activity(actor, activity_id=pk(activity), plan_id=activity.plan_id):
        raise NotFound("occurrenceId", OCCURRENCE_DA, OCCURRENCE_EN)
    return occ, activity


async def _occurrence_times(
    session: AsyncSession, check: Checker, activity: Activity, starts_at: datetime | None, ends_at: datetime | None
) -> tuple[datetime | None, datetime | None]:
    """Start and end, both within the plan's period plus the margin (backend/bounds.py), end after start."""
    plan = await referenced(session, Plan, activity.plan_id)
    starts_at = check.plan_moment("startsAt", starts_at, plan)
    ends_at = check.plan_moment("endsAt", ends_at, plan)
    check.period("startsAt", starts_at, "endsAt", ends_at)
    return starts_at, ends_at


async def _changed(session: AsyncSession, activity: Activity) -> None:
    """A part of the activity changed (its occurrences, notes): a newer `updated_at`, not a new version."""
    activity.updated_at = now()
    await _published(session, activity)


async def _published(session: AsyncSession, activity: Activity) -> None:
    await events.publish(session, events.ACTIVITY_CHANGED, activity_id=activity.id, plan_id=activity.plan_id)


async def _occurrence_changed(
    session: AsyncSession,
    actor: Actor | None,
    activity: Activity,
    occ: Occurrence,
    before: audit.AuditData,
    action: str,
    expected_version: int | None,
) -> Occurrence:
    """An occurrence's change stored (at `expected_version` when given, else CONFLICT) and audited
    (`before`: its snapshot), and its activity changed."""
    await versions.save(session, occ, expected_version)
    await audit.record(session, actor=actor, action=action, obj=occ, plan_id=activity.plan_id, before=before)
    await _changed(session, activity)
    return occ


async def _added(session: AsyncSession, actor: Actor | None, activity: Activity, row: R, action: str) -> R:
    """A new row of the activity (an occurrence, a note): stored, audited, and the activity changed."""
    await audit.created(session, row, actor=actor, action=action, plan_id=activity.plan_id)
    await _changed(session, activity)
    return row


def _languages(check: Checker, languages: list[str] | None) -> list[str] | None:
    if languages is None:
        return None
    out: list[str] = []
    for i, code in enumerate(languages):
        value = check.language(f"languages[{i}]", code, default="")
        if value and value not in out:
            out.append(value)
    if len(out) > LANGUAGES_MAX:
        check.add("languages", "TOO_LONG", f"Højst {LANGUAGES_MAX} sprog.", f"At most {LANGUAGES_MAX} languages.")
    return out


ACTIVITY_TEXTS = (
    TextField("title", "Titlen", "The title", single_line=True),
    TextField("description", "Beskrivelsen", "The description", required=False),
    TextField("target_group", "Målgruppen", "The target group", required=False, single_line=True),
    TextField("location", "Stedet", "The location", required=False, single_line=True),
    TextField("contact", "Kontakten", "The contact", required=False, single_line=True),
)


def _activity_texts(
    check: Checker,
    title: str | None | Unset,
    description: str | None | Unset,
    target_group: str | None | Unset,
    location: str | None | Unset,
    contact: str | None | Unset,
) -> dict[str, str | None]:
    return check.columns(
        Activity,
        ACTIVITY_TEXTS,
        title=title,
        description=description,
        target_group=target_group,
        location=location,
        contact=contact,
    )


OCCURRENCE_LOCATION = TextField("location", "Stedet", "The location", required=False, single_line=True)


async def create(
    *,
    session: AsyncSession,
    actor: Actor | None,
    plan_id: int | None,
    focus_area_id: int | None,
    title: str | None,
    description: str | None = None,
    target_group: str | None = None,
    status: ActivityStatus = ActivityStatus.PLANNED,
    visibility: Visibility = Visibility.PUBLIC,
    location: str | None = None,
    contact: str | None = None,
    languages: list[str] | None = None,
    agreement_id: int | None = None,
    partners: list[tuple[int, PartnerRole]] | None = None,
) -> Activity:
    """Staff of the plan add an activity with its partners and their roles."""
    plan = await get_or_404(session, Plan, plan_id, "planId", "Helhedsplanen", "The plan")
    if not policy.can_manage_plan(actor, pk(plan)):
        raise NotFound("planId", "Helhedsplanen", "The plan")
    check = Checker()
    texts = _activity_texts(check, title, description, target_group, location, contact)
    langs = _languages(check, languages) or []
    area = await focus_area_of_plan(session, check, focus_area_id, plan)
    if agreement_id is not None:
        agreement = await session.get(Agreement, agreement_id)
        if agreement is None or agreement.plan_id != plan.id or agreement.kind != AgreementKind.SUB_AGREEMENT:
            check.add(
                "agreementId",
                "NOT_FOUND",
                "Delaftalen findes ikke i denne helhedsplan.",
                "The sub-agreement does not exist in this plan.",
            )
    seen: set[int] = set()
    for i, (partner_id, _role) in enumerate(partners or []):
        partner = await session.get(Partner, partner_id) if isinstance(partner_id, int) else None
        if partner is None:
            check.add(f"partners[{i}].partnerId", "NOT_FOUND", "Partneren findes ikke.", "The partner does not exist.")
        elif partner_id in seen:
            check.add(
                f"partners[{i}].partnerId", "DUPLICATE", "Partneren er nævnt to gange.", "The partner is listed twice."
            )
        seen.add(partner_id)
    area = check.done(area)
    activity = Activity(
        plan_id=pk(plan),
        focus_area_id=pk(area),
        agreement_id=agreement_id,
        status=status,
        visibility=visibility,
        languages=langs,
        # all five texts are given (never UNSET) on create
        title=check.done(texts["title"]),
        description=texts["description"],
        target_group=texts["target_group"],
        location=texts["location"],
        contact=texts["contact"],
    )
    session.add(activity)
    await session.flush()
    for partner_id, role in partners or []:
        session.add(ActivityPartner(activity_id=pk(activity), partner_id=partner_id, role=role))
    await session.flush()
    after = audit.snapshot(activity)
    after["partners"] = [{"partner_id": p, "role": r.value} for p, r in partners or []]
    await audit.record(session, actor=actor, action="activity.create", obj=activity, plan_id=plan.id, after=after)
    await _changed(session, activity)
    return activity


async def update(
    *,
    session: AsyncSession,
    actor: Actor | None,
    activity_id: int | None,
    status: ActivityStatus | None = None,
    description: str | None | Unset = _UNSET,
    title: str | None | Unset = _UNSET,
    target_group: str | None | Unset = _UNSET,
    visibility: Visibility | None = None,
    location: str | None | Unset = _UNSET,
    contact: str | None | Unset = _UNSET,
    languages: list[str] | None = None,
    expected_version: int | None = None,
) -> Activity:
    """Partners may change status and description; staff of the plan may change the rest too.

    With `expected_version`, only when the activity is still at that version (else CONFLICT)."""
    activity = await _activity_for_update(session, actor, activity_id)
    await versions.expect(session, activity, expected_version)
    check = Checker()
    if not policy.is_housing_staff_of_plan(actor, activity.plan_id):
        texts_given = {"title": title, "targetGroup": target_group, "location": location, "contact": contact}
        choices_given = {"visibility": visibility, "languages": languages}
        staff_only = [name for name, text in texts_given.items() if text is not _UNSET]
        staff_only += [name for name, choice in choices_given.items() if choice is not None]
        for name in staff_only:
            check.add(
                name,
                "NOT_ALLOWED",
                "Partnere kan kun ændre status og beskrivelse.",
                "Partners can only change the status and the description.",
            )
        check.done()
    texts = _activity_texts(check, title, description, target_group, location, contact)
    langs = _languages(check, languages)
    check.done()
    before = audit.snapshot(activity)
    for key, value in texts.items():
        setattr(activity, key, value)
    if status is not None:
        activity.status = status
    if visibility is not None:
        activity.visibility = visibility
    if langs is not None:
        activity.languages = langs
    activity.updated_at = now()
    await versions.save(session, activity, expected_version)
    await audit.record(
        session, actor=actor, action="activity.update", obj=activity, plan_id=activity.plan_id, before=before
    )
    await _published(session, activity)
    await notifications.activity_changed(session, actor, activity)
    return activity


async def add_occurrence(
    *,
    session: AsyncSession,
    actor: Actor | None,
    activity_id: int | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    location: str | None = None,
) -> Occurrence:
    activity = await _activity_for_update(session, actor, activity_id)
    check = Checker()
    starts_at, ends_at = await _occurrence_times(session, check, activity, starts_at, ends_at)
    location = check.column(Occurrence, OCCURRENCE_LOCATION, location)
    starts_at = check.done(starts_at)
    ends_at = check.done(ends_at)
    occ = Occurrence(activity_id=pk(activity), starts_at=starts_at, ends_at=ends_at, location=location)
    return await _added(session, actor, activity, occ, "occurrence.add")


async def move_occurrence(
    *,
    session: AsyncSession,
    actor: Actor | None,
    occurrence_id: int | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    location: str | None | Unset = _UNSET,
    expected_version: int | None = None,
) -> Occurrence:
    occ, activity = await _occurrence_for_update(session, actor, occurrence_id)
    await versions.expect(session, occ, expected_version)
    check = Checker()
    starts_at, ends_at = await _occurrence_times(session, check, activity, starts_at, ends_at)
    if location is not _UNSET:
        location = check.column(Occurrence, OCCURRENCE_LOCATION, location)
    if occ.cancelled:
        check.add("occurrenceId", "CANCELLED", "Forekomsten er aflyst.", "The occurrence is cancelled.")
    starts_at = check.done(starts_at)
    ends_at = check.done(ends_at)
    before = audit.snapshot(occ)
    was_at, was_where = occ.starts_at, occ.location
    occ.starts_at, occ.ends_at = starts_at, ends_at
    if location is not _UNSET:
        occ.location = location
    await _occurrence_changed(session, actor, activity, occ, before, "occurrence.move", expected_version)
    if notifications.moved(was_at, was_where, occ):
        await notifications.occurrence_changed(session, actor, occ, activity, cancelled=False)
    return occ


async def cancel_occurrence(
    *, session: AsyncSession, actor: Actor | None, occurrence_id: int | None, expected_version: int | None = None
) -> Occurrence:
    occ, activity = await _occurrence_for_update(session, actor, occurrence_id)
    await versions.expect(session, occ, expected_version)
    if occ.cancelled:
        raise ValidationFailed(
            FieldError(
                "occurrenceId", "CANCELLED", "Forekomsten er allerede aflyst.", "The occurrence is already cancelled."
            )
        )
    before = audit.snapshot(occ)
    occ.cancelled = True
    await _occurrence_changed(session, actor, activity, occ, before, "occurrence.cancel", expected_version)
    await notifications.occurrence_changed(session, actor, occ, activity, cancelled=True)
    return occ


async def delete_occurrence(*, session: AsyncSession, actor: Actor | None, occurrence_id: int | None) -> Activity:
    """Remove an occurrence that was entered wrongly (staff of the plan and the activity's partners).

    The audit event keeps what it was; the activity is returned. A held occurrence with a
    participant count is reported to Landsbyggefonden, so it can be cancelled but not removed.
    """
    occ, activity = await _occurrence_for_update(session, actor, occurrence_id)
    if occ.participant_count is not None:
        raise ValidationFailed(
            FieldError(
                "occurrenceId",
                "NOT_ALLOWED",
                "Forekomsten har et deltagerantal, som indgår i årsrapporten, og kan ikke fjernes.",
                "The occurrence has a participant count, which the yearly report includes; it cannot be removed.",
            )
        )
    before = audit.snapshot(occ)
    await session.delete(occ)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="occurrence.delete",
        object_type="Occurrence",
        object_id=before["id"],
        plan_id=activity.plan_id,
        before=before,
    )
    await _changed(session, activity)
    return activity


async def set_participant_count(
    *,
    session: AsyncSession,
    actor: Actor | None,
    occurrence_id: int | None,
    count: int | None,
    expected_version: int | None = None,
) -> Occurrence:
    """A count of participants for a held occurrence (counts only, never who took part)."""
    occ, activity = await _occurrence_for_update(session, actor, occurrence_id)
    await versions.expect(session, occ, expected_version)
    check = Checker()
    check.int_range("participantCount", count, low=0, high=PARTICIPANTS_MAX)
    if occ.cancelled:
        check.add("occurrenceId", "CANCELLED", "Forekomsten er aflyst.", "The occurrence is cancelled.")
    elif utc(occ.starts_at) > now():
        check.add(
            "occurrenceId",
            "NOT_YET_HELD",
            "Deltagerantal kan først angives, når forekomsten er begyndt.",
            "Participant counts can only be given once the occurrence has started.",
        )
    check.done()
    before = audit.snapshot(occ)
    occ.participant_count = count
    return await _occurrence_changed(
        session, actor, activity, occ, before, "occurrence.setParticipantCount", expected_version
    )


async def add_progress_note(
    *, session: AsyncSession, actor: Actor | None, activity_id: int | None, text: str | None
) -> ProgressNote:
    activity = await _activity_for_update(session, actor, activity_id)
    check = Checker()
    text = check.column(ProgressNote, TextField("text", "Noten", "The note"), text)
    text = check.done(text)
    assert actor is not None  # _activity_for_update lets only the plan's staff and the activity's partners through
    note = ProgressNote(
        activity_id=pk(activity),
        text=text,
        author_partner_id=actor.partner_id if actor.kind == ActorKind.PARTNER else None,
        author_organisation_id=actor.housing_organisation_id if actor.kind == ActorKind.HOUSING_ORGANISATION else None,
    )
    return await _added(session, actor, activity, note, "progressNote.add")
