"""Mutations of resident participation: input and its handling, follow-up groups, the viewer's own data."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.scalars import JSON

from backend import models as m
from backend import policy
from backend.actor import Actor
from backend.models import InputChannel as InputChannelModel
from backend.services import groups as group_services
from backend.services import inputs as input_services
from backend.services import viewer as viewer_services
from schema.context import Context
from schema.enums import InputChannel, InputStatus
from schema.errors import Answer, as_is, expected_version, given, mutation, pk_of, read_back_as, typed_id_of, visible
from schema.participation.types import FollowUpGroup, Meeting, ResidentInput
from schema.permissions import checked
from schema.rows import copied

T = TypeVar("T")


def _or_none(value: T | None) -> T | None:
    """Edits treat a field left out (or null) as unchanged."""
    return None if value is strawberry.UNSET else value


# What most mutations of an input answer.
INPUT_AFTER = Answer("resident_input", ResidentInput, "The input after the change.", read_back_as("ResidentInput"))


async def _as_submitted(_context: Context, submitted: input_services.Submitted) -> ResidentInput:
    """The new input as the write stored it: its author may always read it, so it is not read again."""
    return copied(ResidentInput, submitted.row, pk=submitted.row.id, plan_id=submitted.plan_id)


async def _reported_input(context: Context, report: m.InputReport) -> object:
    return await visible(context, "ResidentInput", report.input_id)


async def _group_of_member(context: Context, member: m.GroupMember) -> object:
    return await visible(context, "FollowUpGroup", member.group_id)


async def _signed_out(context: Context, _account_id: int) -> object:
    context.actor = None  # the account is gone; the rest of this request is anonymous
    return True


# ---------------------------------------------------------------- inputs
@strawberry.input(description="Input from a resident to a follow-up group of the estate they live in.")
class ResidentInputSubmitInput:
    group_id: strawberry.ID = strawberry.field(description="The follow-up group.")
    title: str = strawberry.field(description="A short title (at most 200 characters).")
    body: str = strawberry.field(description="The input (at most 5000 characters); any language and script.")
    language: str | None = strawberry.field(default=None, description="Language code, e.g. da, ar, so (default da).")
    concerns_id: strawberry.ID | None = strawberry.field(
        default=None, description="What it is about: an activity of the group's plan or a focus area."
    )
    client_mutation_id: str | None = strawberry.field(default=None, description="Echoed for the client's use.")


@strawberry.input(description="Change your own input while it is unanswered; fields left out stay.")
class ResidentInputEditInput:
    input_id: strawberry.ID = strawberry.field(description="Your input.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="A new title.")
    body: str | None = strawberry.field(default=strawberry.UNSET, description="A new text.")
    language: str | None = strawberry.field(default=strawberry.UNSET, description="A new language code.")
    expected_version: int | None = expected_version()


@strawberry.input(description="An input, by id.")
class ResidentInputWithdrawInput:
    input_id: strawberry.ID = strawberry.field(description="Your unanswered input.")
    expected_version: int | None = expected_version()


@strawberry.input(description="A new handling status for an input.")
class ResidentInputSetStatusInput:
    input_id: strawberry.ID = strawberry.field(description="The input.")
    status: InputStatus = strawberry.field(description="The new status (ANSWERED needs an answer first).")
    expected_version: int | None = expected_version()


@strawberry.input(description="An answer from the plan's staff to an input.")
class ResidentInputAnswerInput:
    input_id: strawberry.ID = strawberry.field(description="The input.")
    body: str = strawberry.field(description="The answer (at most 5000 characters).")
    expected_version: int | None = expected_version()


@strawberry.input(description="Publish (or unpublish) an answered input with its answer, without its author.")
class ResidentInputPublishInput:
    input_id: strawberry.ID = strawberry.field(description="The input.")
    published: bool = strawberry.field(default=True, description="False takes it off the public portal.")
    expected_version: int | None = expected_version()


@strawberry.input(description="Hide an input (moderation) with a reason, which the audit log keeps.")
class ResidentInputHideInput:
    input_id: strawberry.ID = strawberry.field(description="The input.")
    reason: str | None = strawberry.field(default=None, description="Why (required when hiding).")
    hidden: bool = strawberry.field(default=True, description="False shows it again.")
    expected_version: int | None = expected_version()


@strawberry.input(description="Report an input as abusive.")
class ResidentInputReportInput:
    input_id: strawberry.ID = strawberry.field(description="The input.")
    reason: str = strawberry.field(description="What is wrong with it (at most 500 characters).")


@strawberry.input(description="Input that staff register on a resident's behalf.")
class ResidentInputRegisterInput:
    group_id: strawberry.ID = strawberry.field(description="The follow-up group.")
    title: str = strawberry.field(description="A short title.")
    body: str = strawberry.field(description="The input as given.")
    channel: InputChannel = strawberry.field(description="How it arrived: PAPER, PHONE or IN_PERSON.")
    language: str | None = strawberry.field(default=None, description="Language code (default da).")
    concerns_id: strawberry.ID | None = strawberry.field(default=None, description="An activity or focus area.")


# ---------------------------------------------------------------- groups
@strawberry.input(description="A new follow-up group of a plan.")
class FollowUpGroupCreateInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    name: str = strawberry.field(description="The group's name.")
    description: str | None = strawberry.field(default=None, description="What the group does.")
    estate_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The plan's estates whose residents may give the group input."
    )


@strawberry.input(description="Changes to a follow-up group; fields left out stay.")
class FollowUpGroupUpdateInput:
    group_id: strawberry.ID = strawberry.field(description="The group.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    description: str | None = strawberry.field(default=strawberry.UNSET, description="A new description (null clears).")
    expected_version: int | None = expected_version()


@strawberry.input(description="A member of a follow-up group, as shown publicly.")
class GroupMemberAddInput:
    group_id: strawberry.ID = strawberry.field(description="The group.")
    display_name: str = strawberry.field(description="The name shown.")
    role: str = strawberry.field(description="The role, e.g. formand.")


@strawberry.input(description="A meeting of a follow-up group.")
class MeetingCreateInput:
    group_id: strawberry.ID = strawberry.field(description="The group.")
    starts_at: datetime = strawberry.field(description="When it starts.")
    location: str | None = strawberry.field(default=None, description="Where.")
    agenda: str | None = strawberry.field(default=None, description="The agenda.")
    minutes: str | None = strawberry.field(default=None, description="The minutes.")


@strawberry.input(description="Changes to a meeting; fields left out stay, null clears.")
class MeetingUpdateInput:
    meeting_id: strawberry.ID = strawberry.field(description="The meeting.")
    starts_at: datetime | None = strawberry.field(default=None, description="A new time.")
    location: str | None = strawberry.field(default=strawberry.UNSET, description="Where.")
    agenda: str | None = strawberry.field(default=strawberry.UNSET, description="The agenda.")
    minutes: str | None = strawberry.field(default=strawberry.UNSET, description="The minutes (referat).")
    expected_version: int | None = expected_version()


@strawberry.input(description="Ask for everything stored about you.")
class ViewerDataExportInput:
    client_mutation_id: str | None = strawberry.field(default=None, description="Echoed for the client's use.")


@strawberry.input(description="Erase your account: your inputs stay with the group without your name.")
class ViewerEraseInput:
    confirm: bool = strawberry.field(description="Must be true.")


@strawberry.input(description="The portal language to remember for you.")
class ViewerSetLanguageInput:
    language: str = strawberry.field(description="A language code, e.g. da, en, ar.")


@strawberry.type(description="Mutations of resident participation.")
class ParticipationMutation:
    @mutation(
        "ResidentInputSubmit",
        description="Give input to a follow-up group of the estate you live in (residents).",
        access=checked(policy.can_submit_input),
        codes=["RATE_LIMITED", "DUPLICATE"],
        answer=Answer("resident_input", ResidentInput, "The stored input (null when refused).", _as_submitted),
    )
    async def resident_input_submit(
        session: AsyncSession, actor: Actor | None, input: ResidentInputSubmitInput
    ) -> input_services.Submitted:
        return await input_services.submit_input(
            session=session,
            actor=actor,
            group_id=pk_of("groupId", input.group_id, "FollowUpGroup"),
            title=input.title,
            body=input.body,
            language=input.language,
            concerns=typed_id_of("concernsId", input.concerns_id, "Activity", "FocusArea"),
        )

    @mutation(
        "ResidentInputEdit",
        description="Change your own input while it is unanswered.",
        access=checked(policy.can_edit_own_input),
        codes=["DUPLICATE", "ALREADY_ANSWERED", "WITHDRAWN"],
        answer=INPUT_AFTER,
    )
    async def resident_input_edit(
        session: AsyncSession, actor: Actor | None, input: ResidentInputEditInput
    ) -> m.ResidentInput:
        return await input_services.edit(
            session=session,
            actor=actor,
            input_id=pk_of("inputId", input.input_id, "ResidentInput"),
            title=_or_none(input.title),
            body=_or_none(input.body),
            language=_or_none(input.language),
            expected_version=input.expected_version,
        )

    @mutation(
        "ResidentInputWithdraw",
        description="Withdraw your own input while it is unanswered.",
        access=checked(policy.can_edit_own_input),
        codes=["ALREADY_ANSWERED", "WITHDRAWN"],
        answer=INPUT_AFTER,
    )
    async def resident_input_withdraw(
        session: AsyncSession, actor: Actor | None, input: ResidentInputWithdrawInput
    ) -> m.ResidentInput:
        return await input_services.withdraw(
            session=session,
            actor=actor,
            input_id=pk_of("inputId", input.input_id, "ResidentInput"),
            expected_version=input.expected_version,
        )

    @mutation(
        "ResidentInputSetStatus",
        description="Set an input's handling status (the plan's staff).",
        access=checked(policy.can_moderate_input),
        codes=["WITHDRAWN", "NOT_ANSWERED"],
        answer=INPUT_AFTER,
    )
    async def resident_input_set_status(
        session: AsyncSession, actor: Actor | None, input: ResidentInputSetStatusInput
    ) -> m.ResidentInput:
        return await input_services.set_status(
            session=session,
            actor=actor,
            input_id=pk_of("inputId", input.input_id, "ResidentInput"),
            status=input.status,
            expected_version=input.expected_version,
        )

    @mutation(
        "ResidentInputAnswer",
        description="Answer an input (the plan's staff); its author is told.",
        access=checked(policy.can_answer_input),
        codes=["WITHDRAWN"],
        answer=INPUT_AFTER,
    )
    async def resident_input_answer(
        session: AsyncSession, actor: Actor | None, input: ResidentInputAnswerInput
    ) -> m.ResidentInput:
        row, _reply = await input_services.answer(
            session=session,
            actor=actor,
            input_id=pk_of("inputId", input.input_id, "ResidentInput"),
            body=input.body,
            expected_version=input.expected_version,
        )
        return row

    @mutation(
        "ResidentInputPublish",
        description="Publish an answered input with its answer on the public portal (the plan's staff).",
        access=checked(policy.can_moderate_input),
        codes=["WITHDRAWN", "NOT_ANSWERED", "NOT_ALLOWED"],
        answer=INPUT_AFTER,
    )
    async def resident_input_publish(
        session: AsyncSession, actor: Actor | None, input: ResidentInputPublishInput
    ) -> m.ResidentInput:
        return await input_services.publish(
            session=session,
            actor=actor,
            input_id=pk_of("inputId", input.input_id, "ResidentInput"),
            published=input.published,
            expected_version=input.expected_version,
        )

    @mutation(
        "ResidentInputHide",
        description="Hide an input with a reason (moderation by the plan's staff).",
        access=checked(policy.can_moderate_input),
        answer=INPUT_AFTER,
    )
    async def resident_input_hide(
        session: AsyncSession, actor: Actor | None, input: ResidentInputHideInput
    ) -> m.ResidentInput:
        return await input_services.hide(
            session=session,
            actor=actor,
            input_id=pk_of("inputId", input.input_id, "ResidentInput"),
            reason=input.reason,
            hidden=input.hidden,
            expected_version=input.expected_version,
        )

    @mutation(
        "ResidentInputReport",
        description="Report an input you can see as abusive (signed in).",
        access=checked(policy.can_read_input),
        codes=["DUPLICATE"],
        answer=Answer("resident_input", ResidentInput, "The input after the change.", _reported_input),
    )
    async def resident_input_report(
        session: AsyncSession, actor: Actor | None, input: ResidentInputReportInput
    ) -> m.InputReport:
        report = await input_services.report(
            session=session,
            actor=actor,
            input_id=pk_of("inputId", input.input_id, "ResidentInput"),
            reason=input.reason,
        )
        return report

    @mutation(
        "ResidentInputRegister",
        description="Register input on a resident's behalf: paper, phone or in person (the plan's staff).",
        access=checked(policy.can_register_input),
        answer=INPUT_AFTER,
    )
    async def resident_input_register(
        session: AsyncSession, actor: Actor | None, input: ResidentInputRegisterInput
    ) -> m.ResidentInput:
        return await input_services.register(
            session=session,
            actor=actor,
            group_id=pk_of("groupId", input.group_id, "FollowUpGroup"),
            title=input.title,
            body=input.body,
            channel=InputChannelModel(input.channel.value),
            language=input.language,
            concerns=typed_id_of("concernsId", input.concerns_id, "Activity", "FocusArea"),
        )

    @mutation(
        "FollowUpGroupCreate",
        description="Set up a follow-up group of a plan (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        answer=Answer("follow_up_group", FollowUpGroup, "The new group.", read_back_as("FollowUpGroup")),
    )
    async def follow_up_group_create(
        session: AsyncSession, actor: Actor | None, input: FollowUpGroupCreateInput
    ) -> m.FollowUpGroup:
        return await group_services.create_group(
            session=session,
            actor=actor,
            plan_id=pk_of("planId", input.plan_id, "Plan"),
            name=input.name,
            description=input.description,
            estate_ids=[pk_of(f"estateIds[{i}]", e, "HousingEstate") for i, e in enumerate(input.estate_ids)],
        )

    @mutation(
        "FollowUpGroupUpdate",
        description="Change a follow-up group's name or description (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        answer=Answer("follow_up_group", FollowUpGroup, "The group after the change.", read_back_as("FollowUpGroup")),
    )
    async def follow_up_group_update(
        session: AsyncSession, actor: Actor | None, input: FollowUpGroupUpdateInput
    ) -> m.FollowUpGroup:
        return await group_services.update_group(
            session=session,
            actor=actor,
            group_id=pk_of("groupId", input.group_id, "FollowUpGroup"),
            name=given(input.name),
            description=given(input.description),
            expected_version=input.expected_version,
        )

    @mutation(
        "GroupMemberAdd",
        description="Add a member to a follow-up group (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        answer=Answer("follow_up_group", FollowUpGroup, "The group with its new member.", _group_of_member),
    )
    async def group_member_add(session: AsyncSession, actor: Actor | None, input: GroupMemberAddInput) -> m.GroupMember:
        return await group_services.add_member(
            session=session,
            actor=actor,
            group_id=pk_of("groupId", input.group_id, "FollowUpGroup"),
            display_name=input.display_name,
            role=input.role,
        )

    @mutation(
        "MeetingCreate",
        description="Plan a meeting of a follow-up group (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["OUT_OF_RANGE"],
        answer=Answer("meeting", Meeting, "The new meeting.", read_back_as("Meeting")),
    )
    async def meeting_create(session: AsyncSession, actor: Actor | None, input: MeetingCreateInput) -> m.Meeting:
        return await group_services.create_meeting(
            session=session,
            actor=actor,
            group_id=pk_of("groupId", input.group_id, "FollowUpGroup"),
            starts_at=input.starts_at,
            location=input.location,
            agenda=input.agenda,
            minutes=input.minutes,
        )

    @mutation(
        "MeetingUpdate",
        description="Change a meeting, e.g. add its minutes (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["OUT_OF_RANGE"],
        answer=Answer("meeting", Meeting, "The meeting after the change.", read_back_as("Meeting")),
    )
    async def meeting_update(session: AsyncSession, actor: Actor | None, input: MeetingUpdateInput) -> m.Meeting:
        return await group_services.update_meeting(
            session=session,
            actor=actor,
            meeting_id=pk_of("meetingId", input.meeting_id, "Meeting"),
            starts_at=input.starts_at,
            location=given(input.location),
            agenda=given(input.agenda),
            minutes=given(input.minutes),
            expected_version=input.expected_version,
        )

    @mutation(
        "ViewerDataExport",
        description="Everything stored about you, as JSON (signed in).",
        access=checked(policy.can_export_own_data),
        answer=Answer("data", JSON, "Everything stored about you, as JSON.", as_is),
    )
    async def viewer_data_export(
        session: AsyncSession, actor: Actor | None, input: ViewerDataExportInput | None = None
    ) -> dict[str, object]:
        return await viewer_services.export_data(session=session, actor=actor)

    @mutation(
        "ViewerErase",
        description="Erase your account (residents): inputs stay anonymised; residencies and sessions go.",
        access=checked(policy.can_erase_own_account),
        codes=["CONFIRMATION_REQUIRED"],
        answer=Answer("erased", bool, "True when the account was erased.", _signed_out),
    )
    async def viewer_erase(session: AsyncSession, actor: Actor | None, input: ViewerEraseInput) -> int:
        return await viewer_services.erase(session=session, actor=actor, confirm=input.confirm)

    @mutation(
        "ViewerSetLanguage",
        description="Remember the portal language you chose (signed in); it is restored when you sign in.",
        access=checked(policy.can_choose_own_language),
        answer=Answer("language", str, "The language now remembered for you.", as_is),
        input_description="The language.",
    )
    async def viewer_set_language(session: AsyncSession, actor: Actor | None, input: ViewerSetLanguageInput) -> str:
        await viewer_services.set_language(session=session, actor=actor, language=input.language)
        return input.language
