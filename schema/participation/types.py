"""Follow-up groups, their members and meetings, resident input and answers, residencies, the viewer."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Private
from strawberry.types import Info

from backend import policy
from schema.activities.loaders import ActivityByIdLoader, PartnerByIdLoader
from schema.connections import After, Connection, First, decode_cursor
from schema.enums import ActorKind, InputChannel, InputStatus
from schema.geography.loaders import HousingEstateByIdLoader, HousingOrganisationByIdLoader, MunicipalityByIdLoader
from schema.limits import page_size
from schema.loaders import Resolves
from schema.node import Node, version_field
from schema.notifications.types import Notification, NotificationPreference
from schema.participation import loaders as pl
from schema.permissions import requires
from schema.plans.loaders import FocusAreaByIdLoader, PlanByIdLoader

if TYPE_CHECKING:
    from schema.activities.types import Activity, Organisation
    from schema.geography.types import HousingEstate
    from schema.plans.types import FocusArea, Plan

PlanRef = Annotated["Plan", strawberry.lazy("schema.plans.types")]
EstateRef = Annotated["HousingEstate", strawberry.lazy("schema.geography.types")]
ActivityRef = Annotated["Activity", strawberry.lazy("schema.activities.types")]
FocusAreaRef = Annotated["FocusArea", strawberry.lazy("schema.plans.types")]
OrganisationRef = Annotated["Organisation", strawberry.lazy("schema.activities.types")]


@strawberry.type(description="A follow-up group (følgegruppe) that involves residents in a plan's decisions.")
class FollowUpGroup(Node):
    name: str = strawberry.field(description="The group's name.")
    description: str | None = strawberry.field(description="What the group does.")
    version: int = version_field()
    plan_id: Private[int]

    @strawberry.field(description="The plan the group follows.")
    def plan(self, info: Info) -> Resolves[PlanRef]:
        return PlanByIdLoader(info.context).load(self.plan_id)

    @strawberry.field(description="The housing estates the group covers; their residents may give it input.")
    def estates(self, info: Info) -> Resolves[list[EstateRef]]:
        return pl.EstatesByGroupIdLoader(info.context).load(self.pk)

    @strawberry.field(description="The members, as shown publicly: display name and role.")
    def members(self, info: Info) -> Resolves[list[GroupMember]]:
        return pl.MembersByGroupIdLoader(info.context).load(self.pk)

    @strawberry.field(description="The group's meetings, oldest first.")
    def meetings(self, info: Info) -> Resolves[list[Meeting]]:
        return pl.MeetingsByGroupIdLoader(info.context).load(self.pk)

    @strawberry.field(description="The inputs the group has published, without their authors.")
    def published_inputs(
        self, info: Info, first: First = None, after: After = None
    ) -> Resolves[Connection[ResidentInput]]:
        return pl.PublishedInputsByGroupIdLoader(info.context).load((self.pk, page_size(first), decode_cursor(after)))

    @strawberry.field(
        description="All inputs to the group, published or not: the plan's staff only.",
        **requires(policy.can_read_group_inputs, plan_id="plan_id"),
    )
    def inputs(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        status: Annotated[InputStatus | None, strawberry.argument(description="Only inputs with this status.")] = None,
    ) -> Resolves[Connection[ResidentInput]]:
        key = (self.pk, page_size(first), decode_cursor(after), status)
        return pl.InputsByGroupIdLoader(info.context).load(key)


@strawberry.type(description="A member of a follow-up group, as shown publicly.")
class GroupMember:
    display_name: str = strawberry.field(description="The name the member is shown with.")
    role: str = strawberry.field(description="The member's role, e.g. formand.")
    pk: Private[int]
    group_id: Private[int]


@strawberry.type(description="A meeting of a follow-up group.")
class Meeting(Node):
    starts_at: datetime = strawberry.field(description="When the meeting starts.")
    location: str | None = strawberry.field(description="Where it is held.")
    agenda: str | None = strawberry.field(description="The agenda (dagsorden).")
    minutes: str | None = strawberry.field(description="The minutes (referat), once written.")
    version: int = version_field()
    group_id: Private[int]


@strawberry.type(description="Input from a resident to a follow-up group; its author is never shown to others.")
class ResidentInput(Node):
    title: str = strawberry.field(description="A short title.")
    body: str = strawberry.field(description="The input.")
    language: str = strawberry.field(description="The language it is written in (code, e.g. da).")
    status: InputStatus = strawberry.field(description="Where the input is in its handling.")
    channel: InputChannel = strawberry.field(description="How the input arrived.")
    published: bool = strawberry.field(description="Whether the group has published it.")
    hidden: bool = strawberry.field(description="Whether staff have hidden it (e.g. abusive).")
    withdrawn: bool = strawberry.field(description="Whether its author has withdrawn it.")
    created_at: datetime = strawberry.field(description="When it was given.")
    updated_at: datetime = strawberry.field(description="When it was last changed.")
    version: int = version_field()
    group_id: Private[int]
    plan_id: Private[int]
    author_account_id: Private[int | None]
    concerns_activity_id: Private[int | None]
    concerns_focus_area_id: Private[int | None]

    @strawberry.field(description="The follow-up group the input was given to.")
    def group(self, info: Info) -> Resolves[FollowUpGroup]:
        return pl.FollowUpGroupByIdLoader(info.context).load(self.group_id)

    @strawberry.field(description="What the input is about, if anything: an activity or a focus area.")
    def concerns(self, info: Info) -> Resolves[InputSubject | None]:
        if self.concerns_activity_id:
            return ActivityByIdLoader(info.context).load(self.concerns_activity_id)
        if self.concerns_focus_area_id:
            return FocusAreaByIdLoader(info.context).load(self.concerns_focus_area_id)
        return None

    @strawberry.field(description="Whether you wrote this input (only its author is told).")
    def mine(self, info: Info) -> bool:
        return policy.can_see_input_author(info.context.actor, self.author_account_id)

    @strawberry.field(description="The answers, oldest first.")
    def answers(self, info: Info) -> Resolves[list[InputAnswer]]:
        return pl.AnswersByInputIdLoader(info.context).load(self.pk)

    @strawberry.field(
        description="Whether you may still change or withdraw this input (residentInputEdit, "
        "residentInputWithdraw): you wrote it and it is not answered, closed or withdrawn."
    )
    async def can_edit(self, info: Info) -> bool:
        if not policy.can_edit_own_input(info.context.actor, self.author_account_id):
            return False  # only its author is told anything, and no answers need loading
        answers = await pl.AnswersByInputIdLoader(info.context).load(self.pk)
        return policy.can_change_own_input(
            info.context.actor,
            author_account_id=self.author_account_id,
            withdrawn=self.withdrawn,
            status=self.status,
            answered=bool(answers),
        )


InputSubject = Annotated[
    ActivityRef | FocusAreaRef,
    strawberry.union("InputSubject", description="What a resident input is about: an activity or a focus area."),
]


@strawberry.type(description="An answer to a resident input, from the plan's staff.")
class InputAnswer(Node):
    body: str = strawberry.field(description="The answer.")
    author_kind: ActorKind = strawberry.field(description="What kind of actor answered (never who).")
    created_at: datetime = strawberry.field(description="When it was answered.")
    version: int = version_field()
    input_id: Private[int]


@strawberry.type(description="Where a resident lives: their link to a housing estate (visible to them only).")
class Residency(Node):
    since: date = strawberry.field(description="From when.")
    until: date | None = strawberry.field(
        description=(
            "The day it ended or ends: from this day (Copenhagen time) it grants nothing (null: still living there)."
        )
    )
    account_id: Private[int]
    estate_id: Private[int]

    @strawberry.field(description="The housing estate.")
    def estate(self, info: Info) -> Resolves[EstateRef]:
        return HousingEstateByIdLoader(info.context).load(self.estate_id)


@strawberry.type(description="The signed-in actor.")
class Viewer:
    kind: ActorKind = strawberry.field(description="What kind of actor you are.")
    display_name: str = strawberry.field(description="Your name as shown in the portal.")
    account_id: Private[int]
    housing_organisation_id: Private[int | None]
    partner_id: Private[int | None]
    municipality_id: Private[int | None]

    @strawberry.field(description="The organisation you act for (null for residents).")
    def organisation(self, info: Info) -> Resolves[OrganisationRef | None]:
        if self.housing_organisation_id:
            return HousingOrganisationByIdLoader(info.context).load(self.housing_organisation_id)
        if self.partner_id:
            return PartnerByIdLoader(info.context).load(self.partner_id)
        if self.municipality_id:
            return MunicipalityByIdLoader(info.context).load(self.municipality_id)
        return None

    @strawberry.field(
        description="Residents: the id to give your housing organisation so it can confirm where you "
        "live (residencyConfirm); null for staff."
    )
    def resident_id(self) -> strawberry.ID | None:
        from schema.ids import encode

        if getattr(self.kind, "value", self.kind) != "RESIDENT":
            return None
        return strawberry.ID(encode("Resident", self.account_id))

    @strawberry.field(description="Where you live, current and past (residents only).")
    async def residencies(self, info: Info) -> list[Residency]:
        from schema.participation.queries import own_residencies

        return await own_residencies(info.context, self.account_id)

    @strawberry.field(description="The inputs you have given, newest last.")
    async def inputs(self, info: Info, first: First = None, after: After = None) -> Connection[ResidentInput]:
        from schema.participation.queries import own_inputs

        return await own_inputs(info.context, self.account_id, first=first, after=after)

    @strawberry.field(description="Your notifications, newest first.")
    async def notifications(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        unread_only: Annotated[bool, strawberry.argument(description="Only those not marked read.")] = False,
    ) -> Connection[Notification]:
        from schema.notifications.queries import own_notifications

        return await own_notifications(info.context, self.account_id, first=first, after=after, unread_only=unread_only)

    @strawberry.field(description="How many of your notifications are unread.")
    async def unread_notification_count(self, info: Info) -> int:
        from schema.notifications.queries import own_unread_count

        return await own_unread_count(info.context, self.account_id)

    @strawberry.field(description="How you hear of each kind of notification you can receive.")
    async def notification_preferences(self, info: Info) -> list[NotificationPreference]:
        from schema.notifications.queries import own_preferences

        return await own_preferences(info.context, info.context.actor)
