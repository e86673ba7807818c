"""Activities of plans, the partners that carry them out, occurrences and progress notes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Private
from strawberry.types import Info

from backend import policy
from schema.activities import loaders as al
from schema.activities.filters import ActivityFilter  # noqa: F401 - part of this domain's API
from schema.connections import After, Connection, First, OrderBy, decode_cursor, ordering
from schema.enums import ActivityStatus, PartnerKind, PartnerRole, Visibility
from schema.geography.loaders import HousingOrganisationByIdLoader
from schema.geography.types import HousingOrganisation, Municipality
from schema.limits import MAX_OCCURRENCES, page_size
from schema.loaders import Resolves
from schema.node import Node, version_field
from schema.notifications.types import FollowedActivityLoader
from schema.permissions import requires
from schema.plans.loaders import AgreementByIdLoader, FocusAreaByIdLoader, PlanByIdLoader
from schema.scalars import to_utc

if TYPE_CHECKING:
    from schema.plans.types import Agreement, FocusArea, Plan

PlanRef = Annotated["Plan", strawberry.lazy("schema.plans.types")]
FocusAreaRef = Annotated["FocusArea", strawberry.lazy("schema.plans.types")]
AgreementRef = Annotated["Agreement", strawberry.lazy("schema.plans.types")]


@strawberry.type(description="An activity of a plan, e.g. a homework café or pocket-money jobs.")
class Activity(Node):
    title: str = strawberry.field(description="The activity's title.")
    description: str | None = strawberry.field(description="What happens and for whom.")
    target_group: str | None = strawberry.field(description="Who the activity is for, e.g. young people 15-24.")
    status: ActivityStatus = strawberry.field(description="Where the activity is in its life.")
    visibility: Visibility = strawberry.field(description="Whether the public may see the activity.")
    location: str | None = strawberry.field(description="Where the activity usually takes place.")
    contact: str | None = strawberry.field(description="How to get in touch (a role address, not a person).")
    languages: list[str] = strawberry.field(
        description="The languages the activity is offered in (codes, e.g. da, ar)."
    )
    updated_at: datetime = strawberry.field(description="When the activity was last changed.")
    version: int = version_field()
    plan_id: Private[int]
    focus_area_id: Private[int]
    agreement_id: Private[int | None]

    @strawberry.field(description="The plan the activity belongs to.")
    def plan(self, info: Info) -> Resolves[PlanRef]:
        return PlanByIdLoader(info.context).load(self.plan_id)

    @strawberry.field(description="Whether you follow the activity (activityFollow); false when not signed in.")
    def followed(self, info: Info) -> Resolves[bool]:
        if info.context.actor is None:
            return False  # anonymous answers are shared (schema/public_cache.py): nothing to look up
        return FollowedActivityLoader(info.context).load(self.pk)

    @strawberry.field(description="The focus area (indsatsområde) of the activity.")
    def focus_area(self, info: Info) -> Resolves[FocusAreaRef]:
        return FocusAreaByIdLoader(info.context).load(self.focus_area_id)

    @strawberry.field(description="The sub-agreement (delaftale) that describes the activity, if any.")
    async def sub_agreement(self, info: Info) -> AgreementRef | None:
        if not self.agreement_id:
            return None
        agreement: AgreementRef | None = await AgreementByIdLoader(info.context).load(self.agreement_id)
        if agreement is None or not policy.can_read_agreement(info.context.actor, agreement.plan_id, agreement.kind):
            return None
        return agreement

    @strawberry.field(description="The partners carrying out the activity, with their roles.")
    def partners(self, info: Info) -> Resolves[list[ActivityPartner]]:
        return al.ActivityPartnersByActivityIdLoader(info.context).load_ready(self.pk)

    @strawberry.field(description="The activity's occurrences in a time range, soonest first (e.g. the next ones).")
    def occurrences(
        self,
        info: Info,
        from_: Annotated[
            datetime | None, strawberry.argument(name="from", description="Only occurrences that end after this time.")
        ] = None,
        to: Annotated[
            datetime | None, strawberry.argument(description="Only occurrences that start before this time.")
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description=f"At most this many (default and maximum {MAX_OCCURRENCES}).")
        ] = None,
    ) -> Resolves[list[Occurrence]]:
        size = page_size(first, default=MAX_OCCURRENCES, cap=MAX_OCCURRENCES)
        key = (self.pk, to_utc(from_) if from_ else None, to_utc(to) if to else None, size)
        return al.OccurrencesByActivityIdLoader(info.context).load(key)

    @strawberry.field(
        description="Progress notes (statusnoter): the plan's staff and the activity's partners only.",
        **requires(policy.can_read_activity_internals, activity_id="pk", plan_id="plan_id"),
    )
    def progress_notes(
        self, info: Info, first: First = None, after: After = None
    ) -> Resolves[Connection[ProgressNote]]:
        key = (self.pk, page_size(first), decode_cursor(after))
        return al.ProgressNotesByActivityIdLoader(info.context).load(key)


@strawberry.type(description="A partner's part in an activity.")
class ActivityPartner:
    role: PartnerRole = strawberry.field(description="The partner's role.")
    activity_id: Private[int]
    partner_id: Private[int]

    @strawberry.field(description="The partner organisation.")
    def partner(self, info: Info) -> Resolves[Partner]:
        return al.PartnerByIdLoader(info.context).load_ready(self.partner_id)

    @strawberry.field(description="The activity.")
    def activity(self, info: Info) -> Resolves[Activity | None]:
        return al.ActivityByIdLoader(info.context).load(self.activity_id)


@strawberry.type(description="A partner organisation: an administration, the police, a school, an association, ...")
class Partner(Node):
    name: str = strawberry.field(description="The organisation's name.")
    kind: PartnerKind = strawberry.field(description="What kind of organisation it is.")
    cvr: str | None = strawberry.field(description="The organisation's CVR number, if it has one.")

    @strawberry.field(description="The activities the partner takes part in that you may see.")
    def activities(
        self, info: Info, first: First = None, after: After = None, order_by: OrderBy = None
    ) -> Resolves[Connection[Activity]]:
        order = ordering(order_by, "title")
        key = (self.pk, page_size(first), decode_cursor(after, order), order)
        return al.ActivitiesByPartnerIdLoader(info.context).load(key)


Organisation = Annotated[
    HousingOrganisation | Partner | Municipality,
    strawberry.union(
        "Organisation", description="An organisation: a housing organisation, a partner or a municipality."
    ),
]


@strawberry.type(description="One time an activity takes place.")
class Occurrence(Node):
    starts_at: datetime = strawberry.field(description="When it starts.")
    ends_at: datetime = strawberry.field(description="When it ends.")
    location: str | None = strawberry.field(description="Where, if not the activity's usual place.")
    cancelled: bool = strawberry.field(description="Whether it has been cancelled.")
    version: int = version_field()
    participant_count_value: Private[int | None]
    activity_id: Private[int]
    plan_id: Private[int]

    @strawberry.field(
        description="How many took part (a count, never identities): the plan's staff and the activity's partners.",
        **requires(policy.can_read_activity_internals, activity_id="activity_id", plan_id="plan_id"),
    )
    def participant_count(self) -> int | None:
        return self.participant_count_value


@strawberry.type(description="A note on how an activity is going, written by a partner or the plan's staff.")
class ProgressNote(Node):
    posted_at: datetime = strawberry.field(description="When the note was written.")
    text: str = strawberry.field(description="The note.")
    author_partner_id: Private[int | None]
    author_organisation_id: Private[int | None]

    @strawberry.field(description="The organisation that wrote the note.")
    def author(self, info: Info) -> Resolves[Organisation | None]:
        if self.author_partner_id:
            return al.PartnerByIdLoader(info.context).load(self.author_partner_id)
        if self.author_organisation_id:
            return HousingOrganisationByIdLoader(info.context).load(self.author_organisation_id)
        return None
