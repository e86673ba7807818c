"""Mutations of resident participation: input and its handling, follow-up groups, the viewer's own data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from backend import policy
from backend.models import InputChannel as InputChannelModel
from backend.services import groups as group_services
from backend.services import inputs as input_services
from backend.services import viewer as viewer_services
from backend.services.validation import UNSET
from schema.enums import InputChannel, InputStatus
from schema.errors import payload_types, pk_of, run_mutation, typed_id_of, visible
from schema.participation.types import FollowUpGroup, Meeting, ResidentInput
from schema.permissions import checked


def given(value):
    """strawberry.UNSET (not sent) -> the services' UNSET; None stays None (clear the field)."""
    return UNSET if value is strawberry.UNSET else value


def _or_none(value):
    """Edits treat a field left out (or null) as unchanged."""
    return None if value is strawberry.UNSET else value


def _payload(name, codes, field="resident_input", type_=ResidentInput, description="The input after the change."):
    return payload_types(name, field, type_, codes, field_description=description)


ResidentInputSubmitPayload = _payload(
    "ResidentInputSubmit", ["RATE_LIMITED", "DUPLICATE"], description="The stored input (null when refused)."
)
ResidentInputEditPayload = _payload("ResidentInputEdit", ["DUPLICATE", "ALREADY_ANSWERED", "WITHDRAWN"])
ResidentInputWithdrawPayload = _payload("ResidentInputWithdraw", ["ALREADY_ANSWERED", "WITHDRAWN"])
ResidentInputSetStatusPayload = _payload("ResidentInputSetStatus", ["WITHDRAWN", "NOT_ANSWERED"])
ResidentInputAnswerPayload = _payload("ResidentInputAnswer", ["WITHDRAWN"])
ResidentInputPublishPayload = _payload("ResidentInputPublish", ["WITHDRAWN", "NOT_ANSWERED", "NOT_ALLOWED"])
ResidentInputHidePayload = _payload("ResidentInputHide", [])
ResidentInputReportPayload = _payload("ResidentInputReport", ["DUPLICATE"])
ResidentInputRegisterPayload = _payload("ResidentInputRegister", [])
FollowUpGroupCreatePayload = _payload("FollowUpGroupCreate", [], "follow_up_group", FollowUpGroup, "The new group.")
GroupMemberAddPayload = _payload(
    "GroupMemberAdd", [], "follow_up_group", FollowUpGroup, "The group with its new member."
)
MeetingCreatePayload = _payload("MeetingCreate", ["OUT_OF_RANGE"], "meeting", Meeting, "The new meeting.")
MeetingUpdatePayload = _payload("MeetingUpdate", ["OUT_OF_RANGE"], "meeting", Meeting, "The meeting after the change.")
ViewerDataExportPayload = payload_types(
    "ViewerDataExport", "data", JSON, [], field_description="Everything stored about you, as JSON."
)
ViewerErasePayload = payload_types(
    "ViewerErase", "erased", bool, ["CONFIRMATION_REQUIRED"], field_description="True when the account was erased."
)

ViewerSetLanguagePayload = payload_types(
    "ViewerSetLanguage", "language", str, [], field_description="The language now remembered for you."
)


async def _input(context, pk):
    return await visible(context, "ResidentInput", pk)


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


@strawberry.input(description="An input, by id.")
class ResidentInputWithdrawInput:
    input_id: strawberry.ID = strawberry.field(description="Your unanswered input.")


@strawberry.input(description="A new handling status for an input.")
class ResidentInputSetStatusInput:
    input_id: strawberry.ID = strawberry.field(description="The input.")
    status: InputStatus = strawberry.field(description="The new status (ANSWERED needs an answer first).")


@strawberry.input(description="An answer from the plan's staff to an input.")
class ResidentInputAnswerInput:
    input_id: strawberry.ID = strawberry.field(description="The input.")
    body: str = strawberry.field(description="The answer (at most 5000 characters).")


@strawberry.input(description="Publish (or unpublish) an answered input with its answer, without its author.")
class ResidentInputPublishInput:
    input_id: strawberry.ID = strawberry.field(description="The input.")
    published: bool = strawberry.field(default=True, description="False takes it off the public portal.")


@strawberry.input(description="Hide an input (moderation) with a reason, which the audit log keeps.")
class ResidentInputHideInput:
    input_id: strawberry.ID = strawberry.field(description="The input.")
    reason: str | None = strawberry.field(default=None, description="Why (required when hiding).")
    hidden: bool = strawberry.field(default=True, description="False shows it again.")


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
    @strawberry.mutation(
        description="Give input to a follow-up group of the estate you live in (residents).",
        **checked(policy.can_submit_input),
    )
    async def resident_input_submit(
        self, info: Info, input: Annotated[ResidentInputSubmitInput, strawberry.argument(description="What to do.")]
    ) -> ResidentInputSubmitPayload:
        async def work(session, actor):
            return await input_services.submit(
                session=session,
                actor=actor,
                group_id=pk_of("groupId", input.group_id, "FollowUpGroup"),
                title=input.title,
                body=input.body,
                language=input.language,
                concerns=typed_id_of("concernsId", input.concerns_id, "Activity", "FocusArea"),
            )

        return await run_mutation(info, ResidentInputSubmitPayload, work, lambda c, r: _input(c, r.id))

    @strawberry.mutation(
        description="Change your own input while it is unanswered.", **checked(policy.can_edit_own_input)
    )
    async def resident_input_edit(
        self, info: Info, input: Annotated[ResidentInputEditInput, strawberry.argument(description="What to do.")]
    ) -> ResidentInputEditPayload:
        async def work(session, actor):
            return await input_services.edit(
                session=session,
                actor=actor,
                input_id=pk_of("inputId", input.input_id, "ResidentInput"),
                title=_or_none(input.title),
                body=_or_none(input.body),
                language=_or_none(input.language),
            )

        return await run_mutation(info, ResidentInputEditPayload, work, lambda c, r: _input(c, r.id))

    @strawberry.mutation(
        description="Withdraw your own input while it is unanswered.", **checked(policy.can_edit_own_input)
    )
    async def resident_input_withdraw(
        self, info: Info, input: Annotated[ResidentInputWithdrawInput, strawberry.argument(description="What to do.")]
    ) -> ResidentInputWithdrawPayload:
        async def work(session, actor):
            return await input_services.withdraw(
                session=session, actor=actor, input_id=pk_of("inputId", input.input_id, "ResidentInput")
            )

        return await run_mutation(info, ResidentInputWithdrawPayload, work, lambda c, r: _input(c, r.id))

    @strawberry.mutation(
        description="Set an input's handling status (the plan's staff).", **checked(policy.can_moderate_input)
    )
    async def resident_input_set_status(
        self, info: Info, input: Annotated[ResidentInputSetStatusInput, strawberry.argument(description="What to do.")]
    ) -> ResidentInputSetStatusPayload:
        async def work(session, actor):
            return await input_services.set_status(
                session=session,
                actor=actor,
                input_id=pk_of("inputId", input.input_id, "ResidentInput"),
                status=input.status,
            )

        return await run_mutation(info, ResidentInputSetStatusPayload, work, lambda c, r: _input(c, r.id))

    @strawberry.mutation(
        description="Answer an input (the plan's staff); its author is told.", **checked(policy.can_answer_input)
    )
    async def resident_input_answer(
        self, info: Info, input: Annotated[ResidentInputAnswerInput, strawberry.argument(description="What to do.")]
    ) -> ResidentInputAnswerPayload:
        async def work(session, actor):
            row, _reply = await input_services.answer(
                session=session,
                actor=actor,
                input_id=pk_of("inputId", input.input_id, "ResidentInput"),
                body=input.body,
            )
            return row

        return await run_mutation(info, ResidentInputAnswerPayload, work, lambda c, r: _input(c, r.id))

    @strawberry.mutation(
        description="Publish an answered input with its answer on the public portal (the plan's staff).",
        **checked(policy.can_moderate_input),
    )
    async def resident_input_publish(
        self, info: Info, input: Annotated[ResidentInputPublishInput, strawberry.argument(description="What to do.")]
    ) -> ResidentInputPublishPayload:
        async def work(session, actor):
            return await input_services.publish(
                session=session,
                actor=actor,
                input_id=pk_of("inputId", input.input_id, "ResidentInput"),
                published=input.published,
            )

        return await run_mutation(info, ResidentInputPublishPayload, work, lambda c, r: _input(c, r.id))

    @strawberry.mutation(
        description="Hide an input with a reason (moderation by the plan's staff).",
        **checked(policy.can_moderate_input),
    )
    async def resident_input_hide(
        self, info: Info, input: Annotated[ResidentInputHideInput, strawberry.argument(description="What to do.")]
    ) -> ResidentInputHidePayload:
        async def work(session, actor):
            return await input_services.hide(
                session=session,
                actor=actor,
                input_id=pk_of("inputId", input.input_id, "ResidentInput"),
                reason=input.reason,
                hidden=input.hidden,
            )

        return await run_mutation(info, ResidentInputHidePayload, work, lambda c, r: _input(c, r.id))

    @strawberry.mutation(
        description="Report an input you can see as abusive (signed in).", **checked(policy.can_read_input)
    )
    async def resident_input_report(
        self, info: Info, input: Annotated[ResidentInputReportInput, strawberry.argument(description="What to do.")]
    ) -> ResidentInputReportPayload:
        async def work(session, actor):
            report = await input_services.report(
                session=session,
                actor=actor,
                input_id=pk_of("inputId", input.input_id, "ResidentInput"),
                reason=input.reason,
            )
            return report.input_id

        return await run_mutation(info, ResidentInputReportPayload, work, _input)

    @strawberry.mutation(
        description="Register input on a resident's behalf: paper, phone or in person (the plan's staff).",
        **checked(policy.can_register_input),
    )
    async def resident_input_register(
        self, info: Info, input: Annotated[ResidentInputRegisterInput, strawberry.argument(description="What to do.")]
    ) -> ResidentInputRegisterPayload:
        async def work(session, actor):
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

        return await run_mutation(info, ResidentInputRegisterPayload, work, lambda c, r: _input(c, r.id))

    # ------------------------------------------------------------ groups
    @strawberry.mutation(
        description="Set up a follow-up group of a plan (the plan's housing staff).", **checked(policy.can_manage_plan)
    )
    async def follow_up_group_create(
        self, info: Info, input: Annotated[FollowUpGroupCreateInput, strawberry.argument(description="What to do.")]
    ) -> FollowUpGroupCreatePayload:
        async def work(session, actor):
            return await group_services.create_group(
                session=session,
                actor=actor,
                plan_id=pk_of("planId", input.plan_id, "Plan"),
                name=input.name,
                description=input.description,
                estate_ids=[pk_of(f"estateIds[{i}]", e, "HousingEstate") for i, e in enumerate(input.estate_ids)],
            )

        return await run_mutation(
            info, FollowUpGroupCreatePayload, work, lambda c, r: visible(c, "FollowUpGroup", r.id)
        )

    @strawberry.mutation(
        description="Add a member to a follow-up group (the plan's housing staff).", **checked(policy.can_manage_plan)
    )
    async def group_member_add(
        self, info: Info, input: Annotated[GroupMemberAddInput, strawberry.argument(description="What to do.")]
    ) -> GroupMemberAddPayload:
        async def work(session, actor):
            return await group_services.add_member(
                session=session,
                actor=actor,
                group_id=pk_of("groupId", input.group_id, "FollowUpGroup"),
                display_name=input.display_name,
                role=input.role,
            )

        return await run_mutation(
            info, GroupMemberAddPayload, work, lambda c, r: visible(c, "FollowUpGroup", r.group_id)
        )

    @strawberry.mutation(
        description="Plan a meeting of a follow-up group (the plan's housing staff).", **checked(policy.can_manage_plan)
    )
    async def meeting_create(
        self, info: Info, input: Annotated[MeetingCreateInput, strawberry.argument(description="What to do.")]
    ) -> MeetingCreatePayload:
        async def work(session, actor):
            return await group_services.create_meeting(
                session=session,
                actor=actor,
                group_id=pk_of("groupId", input.group_id, "FollowUpGroup"),
                starts_at=input.starts_at,
                location=input.location,
                agenda=input.agenda,
                minutes=input.minutes,
            )

        return await run_mutation(info, MeetingCreatePayload, work, lambda c, r: visible(c, "Meeting", r.id))

    @strawberry.mutation(
        description="Change a meeting, e.g. add its minutes (the plan's housing staff).",
        **checked(policy.can_manage_plan),
    )
    async def meeting_update(
        self, info: Info, input: Annotated[MeetingUpdateInput, strawberry.argument(description="What to do.")]
    ) -> MeetingUpdatePayload:
        async def work(session, actor):
            return await group_services.update_meeting(
                session=session,
                actor=actor,
                meeting_id=pk_of("meetingId", input.meeting_id, "Meeting"),
                starts_at=input.starts_at,
                location=given(input.location),
                agenda=given(input.agenda),
                minutes=given(input.minutes),
            )

        return await run_mutation(info, MeetingUpdatePayload, work, lambda c, r: visible(c, "Meeting", r.id))

    # ------------------------------------------------------------ the viewer's own data
    @strawberry.mutation(
        description="Everything stored about you, as JSON (signed in).", **checked(policy.can_export_own_data)
    )
    async def viewer_data_export(
        self,
        info: Info,
        input: Annotated[ViewerDataExportInput | None, strawberry.argument(description="What to do.")] = None,
    ) -> ViewerDataExportPayload:
        async def work(session, actor):
            return await viewer_services.export_data(session=session, actor=actor)

        async def read_back(_context, data):
            return data

        return await run_mutation(info, ViewerDataExportPayload, work, read_back)

    @strawberry.mutation(
        description="Erase your account (residents): inputs stay anonymised; residencies and sessions go.",
        **checked(policy.can_erase_own_account),
    )
    async def viewer_erase(
        self, info: Info, input: Annotated[ViewerEraseInput, strawberry.argument(description="What to do.")]
    ) -> ViewerErasePayload:
        async def work(session, actor):
            return await viewer_services.erase(session=session, actor=actor, confirm=input.confirm)

        async def read_back(context, _account_id):
            context.actor = None  # the account is gone; the rest of this request is anonymous
            return True

        return await run_mutation(info, ViewerErasePayload, work, read_back)

    @strawberry.mutation(
        description="Remember the portal language you chose (signed in); it is restored when you sign in.",
        **checked(policy.can_choose_own_language),
    )
    async def viewer_set_language(
        self, info: Info, input: Annotated[ViewerSetLanguageInput, strawberry.argument(description="The language.")]
    ) -> ViewerSetLanguagePayload:
        async def work(session, actor):
            return await viewer_services.set_language(session=session, actor=actor, language=input.language)

        async def read_back(_context, _account_id):
            return input.language

        return await run_mutation(info, ViewerSetLanguagePayload, work, read_back)
