"""Mutations of activities: staff of the plan create them; partners keep their own activities current."""

from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from backend import models as m
from backend import policy
from backend.actor import Actor
from backend.services import activities as services
from schema.activities.types import Activity, Occurrence, ProgressNote
from schema.enums import ActivityStatus, PartnerRole, Visibility
from schema.errors import Answer, expected_version, given, mutation, pk_of, read_back_as
from schema.permissions import checked


@strawberry.input(description="A partner and its role in a new activity.")
class ActivityPartnerInput:
    partner_id: strawberry.ID = strawberry.field(description="The partner organisation.")
    role: PartnerRole = strawberry.field(default=PartnerRole.CONTRIBUTING, description="Its role.")


@strawberry.input(description="A new activity of a plan.")
class ActivityCreateInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    focus_area_id: strawberry.ID = strawberry.field(description="A focus area of the plan's funding generation.")
    title: str = strawberry.field(description="The title (at most 200 characters).")
    description: str | None = strawberry.field(default=None, description="What happens and for whom.")
    target_group: str | None = strawberry.field(default=None, description="Who it is for.")
    status: ActivityStatus = strawberry.field(default=ActivityStatus.PLANNED, description="Its status.")
    visibility: Visibility = strawberry.field(default=Visibility.PUBLIC, description="Who may see it.")
    location: str | None = strawberry.field(default=None, description="Where it usually takes place.")
    contact: str | None = strawberry.field(default=None, description="A role address, not a person's data.")
    languages: list[str] = strawberry.field(default_factory=list, description="Language codes, e.g. da, ar.")
    sub_agreement_id: strawberry.ID | None = strawberry.field(default=None, description="Its sub-agreement.")
    partners: list[ActivityPartnerInput] = strawberry.field(
        default_factory=list, description="The partners and their roles."
    )


@strawberry.input(
    description="Changes to an activity; fields left out stay, null clears. "
    "Partners may change status and description only."
)
class ActivityUpdateInput:
    activity_id: strawberry.ID = strawberry.field(description="The activity.")
    status: ActivityStatus | None = strawberry.field(default=None, description="A new status.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="A new description.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="A new title (staff).")
    target_group: str | None = strawberry.field(default=strawberry.UNSET, description="A new target group (staff).")
    visibility: Visibility | None = strawberry.field(default=None, description="A new visibility (staff).")
    location: str | None = strawberry.field(default=strawberry.UNSET, description="A new location (staff).")
    contact: str | None = strawberry.field(default=strawberry.UNSET, description="A new contact (staff).")
    languages: list[str] | None = strawberry.field(default=None, description="New language codes (staff).")
    expected_version: int | None = expected_version()


@strawberry.input(description="A new occurrence of an activity.")
class OccurrenceAddInput:
    activity_id: strawberry.ID = strawberry.field(description="The activity.")
    starts_at: datetime = strawberry.field(description="When it starts.")
    ends_at: datetime = strawberry.field(description="When it ends (after the start).")
    location: str | None = strawberry.field(default=None, description="Where, if not the usual place.")


@strawberry.input(description="A new time for an occurrence.")
class OccurrenceMoveInput:
    occurrence_id: strawberry.ID = strawberry.field(description="The occurrence.")
    starts_at: datetime = strawberry.field(description="When it starts.")
    ends_at: datetime = strawberry.field(description="When it ends (after the start).")
    location: str | None = strawberry.field(default=strawberry.UNSET, description="A new place (null: the usual).")
    expected_version: int | None = expected_version()


@strawberry.input(description="An occurrence, by id.")
class OccurrenceCancelInput:
    occurrence_id: strawberry.ID = strawberry.field(description="The occurrence to cancel.")
    expected_version: int | None = expected_version()


@strawberry.input(description="Remove an occurrence that was entered wrongly.")
class OccurrenceDeleteInput:
    occurrence_id: strawberry.ID = strawberry.field(description="The occurrence to remove.")


@strawberry.input(description="How many took part in an occurrence (a count, never identities).")
class OccurrenceSetParticipantCountInput:
    occurrence_id: strawberry.ID = strawberry.field(description="The occurrence (started, not cancelled).")
    participant_count: int = strawberry.field(description="The number of participants (0-100000).")
    expected_version: int | None = expected_version()


@strawberry.input(description="A note on how an activity is going.")
class ProgressNoteAddInput:
    activity_id: strawberry.ID = strawberry.field(description="The activity.")
    text: str = strawberry.field(description="The note (at most 5000 characters).")


@strawberry.type(description="Mutations of activities.")
class ActivitiesMutation:
    @mutation(
        "ActivityCreate",
        description="Add an activity with its partners and their roles (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["FOCUS_AREA_NOT_IN_GENERATION", "DUPLICATE"],
        answer=Answer("activity", Activity, "The new activity.", read_back_as("Activity")),
    )
    async def activity_create(session: AsyncSession, actor: Actor | None, input: ActivityCreateInput) -> m.Activity:
        return await services.create(
            session=session,
            actor=actor,
            plan_id=pk_of("planId", input.plan_id, "Plan"),
            focus_area_id=pk_of("focusAreaId", input.focus_area_id, "FocusArea"),
            title=input.title,
            description=input.description,
            target_group=input.target_group,
            status=input.status,
            visibility=input.visibility,
            location=input.location,
            contact=input.contact,
            languages=input.languages,
            agreement_id=pk_of("subAgreementId", input.sub_agreement_id, "Agreement", required=False),
            partners=[
                (pk_of(f"partners[{i}].partnerId", p.partner_id, "Partner"), p.role)
                for i, p in enumerate(input.partners)
            ],
        )

    @mutation(
        "ActivityUpdate",
        description="Change an activity: partners their status and description, the plan's housing staff everything.",
        access=checked(policy.can_update_activity),
        codes=["NOT_ALLOWED"],
        answer=Answer("activity", Activity, "The activity after the change.", read_back_as("Activity")),
    )
    async def activity_update(session: AsyncSession, actor: Actor | None, input: ActivityUpdateInput) -> m.Activity:
        return await services.update(
            session=session,
            actor=actor,
            activity_id=pk_of("activityId", input.activity_id, "Activity"),
            status=input.status,
            description=given(input.description),
            title=given(input.title),
            target_group=given(input.target_group),
            visibility=input.visibility,
            location=given(input.location),
            contact=given(input.contact),
            languages=input.languages,
            expected_version=input.expected_version,
        )

    @mutation(
        "OccurrenceAdd",
        description="Add an occurrence to an activity (its partners and the plan's housing staff).",
        access=checked(policy.can_update_activity),
        codes=["PERIOD_INVALID", "OUT_OF_RANGE"],
        answer=Answer("occurrence", Occurrence, "The new occurrence.", read_back_as("Occurrence")),
    )
    async def occurrence_add(session: AsyncSession, actor: Actor | None, input: OccurrenceAddInput) -> m.Occurrence:
        return await services.add_occurrence(
            session=session,
            actor=actor,
            activity_id=pk_of("activityId", input.activity_id, "Activity"),
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            location=input.location,
        )

    @mutation(
        "OccurrenceMove",
        description="Move an occurrence to a new time.",
        access=checked(policy.can_update_activity),
        codes=["PERIOD_INVALID", "CANCELLED", "OUT_OF_RANGE"],
        answer=Answer("occurrence", Occurrence, "The occurrence at its new time.", read_back_as("Occurrence")),
    )
    async def occurrence_move(session: AsyncSession, actor: Actor | None, input: OccurrenceMoveInput) -> m.Occurrence:
        return await services.move_occurrence(
            session=session,
            actor=actor,
            occurrence_id=pk_of("occurrenceId", input.occurrence_id, "Occurrence"),
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            location=given(input.location),
            expected_version=input.expected_version,
        )

    @mutation(
        "OccurrenceCancel",
        description="Cancel an occurrence.",
        access=checked(policy.can_update_activity),
        codes=["CANCELLED"],
        answer=Answer("occurrence", Occurrence, "The cancelled occurrence.", read_back_as("Occurrence")),
    )
    async def occurrence_cancel(
        session: AsyncSession, actor: Actor | None, input: OccurrenceCancelInput
    ) -> m.Occurrence:
        return await services.cancel_occurrence(
            session=session,
            actor=actor,
            occurrence_id=pk_of("occurrenceId", input.occurrence_id, "Occurrence"),
            expected_version=input.expected_version,
        )

    @mutation(
        "OccurrenceDelete",
        description=(
            "Remove an occurrence that was entered wrongly (staff of the plan and the activity's partners; audited). "
            "One with a participant count is part of the yearly report: cancel it instead."
        ),
        access=checked(policy.can_update_activity),
        codes=["NOT_ALLOWED"],
        answer=Answer("activity", Activity, "The activity, without the removed occurrence.", read_back_as("Activity")),
    )
    async def occurrence_delete(session: AsyncSession, actor: Actor | None, input: OccurrenceDeleteInput) -> m.Activity:
        return await services.delete_occurrence(
            session=session, actor=actor, occurrence_id=pk_of("occurrenceId", input.occurrence_id, "Occurrence")
        )

    @mutation(
        "OccurrenceSetParticipantCount",
        description="Record how many took part in an occurrence (a count, never identities).",
        access=checked(policy.can_update_activity),
        codes=["OUT_OF_RANGE", "CANCELLED", "NOT_YET_HELD"],
        answer=Answer("occurrence", Occurrence, "The occurrence with its count.", read_back_as("Occurrence")),
    )
    async def occurrence_set_participant_count(
        session: AsyncSession, actor: Actor | None, input: OccurrenceSetParticipantCountInput
    ) -> m.Occurrence:
        return await services.set_participant_count(
            session=session,
            actor=actor,
            occurrence_id=pk_of("occurrenceId", input.occurrence_id, "Occurrence"),
            count=input.participant_count,
            expected_version=input.expected_version,
        )

    @mutation(
        "ProgressNoteAdd",
        description="Add a progress note to an activity.",
        access=checked(policy.can_update_activity),
        answer=Answer("progress_note", ProgressNote, "The new note.", read_back_as("ProgressNote")),
    )
    async def progress_note_add(
        session: AsyncSession, actor: Actor | None, input: ProgressNoteAddInput
    ) -> m.ProgressNote:
        return await services.add_progress_note(
            session=session,
            actor=actor,
            activity_id=pk_of("activityId", input.activity_id, "Activity"),
            text=input.text,
        )
