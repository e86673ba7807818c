"""Plans and their parts: generations and focus areas, agreements, goals, indicators, financing."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry import Private
from strawberry.types import Info

from backend import policy
from backend.models import AgreementKind as AK
from schema.connections import After, Connection, First, OrderBy, decode_cursor, ordering
from schema.enums import ActorKind, AgreementKind, DecisionOutcome, FinancingParty, IndicatorDirection, PlanStatus
from schema.geography.loaders import BoardByIdLoader, HousingOrganisationByIdLoader, UrbanAreaByIdLoader
from schema.limits import page_size
from schema.loaders import Resolves, then
from schema.node import Node, version_field
from schema.permissions import requires
from schema.plans import loaders as pl

if TYPE_CHECKING:
    from schema.activities.filters import ActivityFilter
    from schema.activities.types import Activity
    from schema.geography.types import Board, HousingEstate, HousingOrganisation, UrbanArea
    from schema.participation.types import FollowUpGroup

UrbanAreaRef = Annotated["UrbanArea", strawberry.lazy("schema.geography.types")]
BoardRef = Annotated["Board", strawberry.lazy("schema.geography.types")]
OrganisationRef = Annotated["HousingOrganisation", strawberry.lazy("schema.geography.types")]
EstateRef = Annotated["HousingEstate", strawberry.lazy("schema.geography.types")]
ActivityRef = Annotated["Activity", strawberry.lazy("schema.activities.types")]
ActivityFilterRef = Annotated["ActivityFilter", strawberry.lazy("schema.activities.types")]
FollowUpGroupRef = Annotated["FollowUpGroup", strawberry.lazy("schema.participation.types")]


@strawberry.type(description="A period from a start date to an end date (inclusive).")
class Period:
    start: date = strawberry.field(description="The first day.")
    end: date = strawberry.field(description="The last day.")


@strawberry.type(description="A funding generation of Landsbyggefonden, with its own focus areas.")
class FundingGeneration(Node):
    name: str = strawberry.field(description="The generation's name, e.g. 2019-26.")
    start_year: int = strawberry.field(description="The first year of the generation.")
    end_year: int = strawberry.field(description="The last year of the generation.")

    @strawberry.field(description="The focus areas (indsatsområder) of the generation, in their order.")
    def focus_areas(self, info: Info) -> Resolves[list[FocusArea]]:
        return pl.FocusAreasByGenerationIdLoader(info.context).load(self.pk)


@strawberry.type(description="A focus area (indsatsområde) of a funding generation.")
class FocusArea(Node):
    name: str = strawberry.field(description="The focus area's name, e.g. Uddannelse og livschancer.")
    position: int = strawberry.field(description="Its place in the generation's list.")
    generation_id: Private[int]

    @strawberry.field(description="The funding generation the focus area belongs to.")
    def generation(self, info: Info) -> Resolves[FundingGeneration]:
        return pl.FundingGenerationByIdLoader(info.context).load(self.generation_id)


@strawberry.type(description="A boligsocial helhedsplan: a temporary social effort in vulnerable housing estates.")
class Plan(Node):
    name: str = strawberry.field(description="The plan's name.")
    summary: str | None = strawberry.field(description="A short description of the plan.")
    status: PlanStatus = strawberry.field(description="Where the plan is in its life.")
    updated_at: datetime = strawberry.field(description="When the plan was last changed.")
    version: int = version_field()
    start_date: Private[date]
    end_date: Private[date]
    generation_id: Private[int]
    urban_area_id: Private[int]
    board_id: Private[int | None]
    lead_organisation_id: Private[int]

    @strawberry.field(description="The period the plan runs.")
    def period(self) -> Period:
        return Period(start=self.start_date, end=self.end_date)

    @strawberry.field(description="The funding generation of the plan (it decides the focus areas).")
    def generation(self, info: Info) -> Resolves[FundingGeneration]:
        return pl.FundingGenerationByIdLoader(info.context).load(self.generation_id)

    @strawberry.field(description="The urban area the plan lies in.")
    def urban_area(self, info: Info) -> Resolves[UrbanAreaRef]:
        return UrbanAreaByIdLoader(info.context).load(self.urban_area_id)

    @strawberry.field(description="The district board that follows the plan.")
    def board(self, info: Info) -> Resolves[BoardRef | None]:
        return BoardByIdLoader(info.context).load(self.board_id) if self.board_id else None

    @strawberry.field(description="The housing organisation that leads the plan.")
    def lead_organisation(self, info: Info) -> Resolves[OrganisationRef]:
        return HousingOrganisationByIdLoader(info.context).load(self.lead_organisation_id)

    @strawberry.field(description="The housing organisations taking part in the plan (the lead one included).")
    def organisations(self, info: Info) -> Resolves[list[OrganisationRef]]:
        return pl.OrganisationsByPlanIdLoader(info.context).load(self.pk)

    @strawberry.field(description="The housing estates the plan covers.")
    def estates(self, info: Info) -> Resolves[list[EstateRef]]:
        return pl.EstatesByPlanIdLoader(info.context).load(self.pk)

    @strawberry.field(description="The focus areas of the plan's generation.")
    def focus_areas(self, info: Info) -> Resolves[list[FocusArea]]:
        return pl.FocusAreasByGenerationIdLoader(info.context).load(self.generation_id)

    @strawberry.field(description="The latest version of the strategic agreement (strategisk samarbejdsaftale).")
    async def strategic_agreement(self, info: Info) -> Agreement | None:
        latest = _latest(await pl.AgreementsByPlanIdLoader(info.context).load(self.pk), AK.STRATEGIC)
        return latest[0] if latest else None

    @strawberry.field(description="The latest version of each sub-agreement (delaftale), one per focus area.")
    def sub_agreements(self, info: Info) -> Resolves[list[Agreement]]:
        return then(
            pl.AgreementsByPlanIdLoader(info.context).load_ready(self.pk), lambda rows: _latest(rows, AK.SUB_AGREEMENT)
        )

    @strawberry.field(
        description="The latest version of the emergency plan (beredskabsplan): the plan's staff only.",
        **requires(policy.can_read_emergency_plan, plan_id="pk"),
    )
    async def emergency_plan(self, info: Info) -> Agreement | None:
        latest = _latest(await pl.AgreementsByPlanIdLoader(info.context).load(self.pk), AK.EMERGENCY_PLAN)
        return latest[0] if latest else None

    @strawberry.field(description="The plan's goals with their indicators.")
    def goals(self, info: Info) -> Resolves[list[Goal]]:
        return pl.GoalsByPlanIdLoader(info.context).load_ready(self.pk)

    @strawberry.field(description="The milestone plan (milepælsplan).")
    def milestones(self, info: Info) -> Resolves[list[Milestone]]:
        return pl.MilestonesByPlanIdLoader(info.context).load(self.pk)

    @strawberry.field(description="The plan's activities that you may see.")
    def activities(
        self,
        info: Info,
        first: First = None,
        after: After = None,
        filter: Annotated[
            ActivityFilterRef | None, strawberry.argument(description="Conditions on the activities.")
        ] = None,
        order_by: OrderBy = None,
    ) -> Resolves[Connection[ActivityRef]]:
        from schema.activities.filters import filter_key
        from schema.activities.loaders import ActivitiesByPlanIdLoader

        order = ordering(order_by, "title")
        key = (self.pk, page_size(first), decode_cursor(after, order), filter_key(filter), order)
        return ActivitiesByPlanIdLoader(info.context).load_ready(key)

    @strawberry.field(description="The plan's follow-up groups (følgegrupper).")
    def follow_up_groups(self, info: Info) -> Resolves[list[FollowUpGroupRef]]:
        from schema.participation.loaders import FollowUpGroupsByPlanIdLoader

        return FollowUpGroupsByPlanIdLoader(info.context).load(self.pk)

    @strawberry.field(
        description="The decisions on the plan's status moves and document versions, newest first: "
        "the plan's staff and Landsbyggefonden only.",
        **requires(policy.can_read_decisions, plan_id="pk"),
    )
    def decisions(self, info: Info) -> Resolves[list[Decision]]:
        return pl.DecisionsByPlanIdLoader(info.context).load(self.pk)

    @strawberry.field(
        description="The financing per year and party: the plan's staff and Landsbyggefonden only.",
        **requires(policy.can_read_financing, plan_id="pk"),
    )
    async def financing(
        self, info: Info, year: Annotated[int | None, strawberry.argument(description="Only this budget year.")] = None
    ) -> list[Financing]:
        rows = await pl.FinancingByPlanIdLoader(info.context).load(self.pk)
        return rows if year is None else [r for r in rows if r.year == year]


def _latest(agreements: list[Agreement], kind: AK) -> list[Agreement]:
    """The newest version per (kind, focus area), in focus area order."""
    newest: dict[int | None, Agreement] = {}
    for a in agreements:
        if a.kind == kind:
            key = a.focus_area_id
            if key not in newest or a.version > newest[key].version:
                newest[key] = a
    return list(newest.values())


@strawberry.type(description="One version of a plan document: strategic agreement, sub-agreement or emergency plan.")
class Agreement(Node):
    kind: AgreementKind = strawberry.field(description="The kind of document.")
    version: int = strawberry.field(description="The version number, from 1.")
    title: str = strawberry.field(description="The document's title.")
    body: str | None = strawberry.field(description="The document's text.")
    approved_at: datetime | None = strawberry.field(description="When this version was approved (null: not yet).")
    created_at: datetime = strawberry.field(description="When this version was written.")
    revision: int = version_field("revision")
    plan_id: Private[int]
    focus_area_id: Private[int | None]

    @strawberry.field(description="The focus area of a sub-agreement (null for the other kinds).")
    def focus_area(self, info: Info) -> Resolves[FocusArea | None]:
        return pl.FocusAreaByIdLoader(info.context).load_ready(self.focus_area_id) if self.focus_area_id else None

    @strawberry.field(description="All versions of this document, oldest first.")
    async def versions(self, info: Info) -> list[Agreement]:
        rows = await pl.AgreementsByPlanIdLoader(info.context).load(self.plan_id)
        return [a for a in rows if a.kind == self.kind and a.focus_area_id == self.focus_area_id]

    @strawberry.field(description="The plan the document belongs to.")
    def plan(self, info: Info) -> Resolves[Plan]:
        return pl.PlanByIdLoader(info.context).load(self.plan_id)


@strawberry.type(
    description="A decision of the municipality or Landsbyggefonden: a plan's status move or a "
    "document version approved, or sent back to the housing organisations with a note."
)
class Decision:
    outcome: DecisionOutcome = strawberry.field(description="Approved or sent back.")
    from_status: PlanStatus | None = strawberry.field(description="The plan's status when the decision was made.")
    to_status: PlanStatus | None = strawberry.field(
        description="The status move approved or refused (null for decisions on a document version)."
    )
    decided_on: date = strawberry.field(
        description="The date of the decision itself, e.g. the City Council's (Borgerrepræsentationens) meeting."
    )
    note: str | None = strawberry.field(description="The decision's note, e.g. why it was sent back.")
    actor_kind: ActorKind = strawberry.field(description="Who decided: the municipality or Landsbyggefonden.")
    created_at: datetime = strawberry.field(description="When the decision was registered.")
    agreement_id: Private[int | None]

    @strawberry.field(description="The document version decided on (null for a status move, or one you may not see).")
    async def agreement(self, info: Info) -> Agreement | None:
        from schema.errors import visible

        if not self.agreement_id:
            return None
        # The Node lookup reads it as the type of that name.
        return cast("Agreement | None", await visible(info.context, "Agreement", self.agreement_id))


@strawberry.type(description="A goal of a plan, followed by indicators.")
class Goal(Node):
    title: str = strawberry.field(description="What the plan wants to achieve.")
    version: int = version_field()
    plan_id: Private[int]
    focus_area_id: Private[int | None]

    @strawberry.field(description="The focus area the goal belongs to, if any.")
    def focus_area(self, info: Info) -> Resolves[FocusArea | None]:
        return pl.FocusAreaByIdLoader(info.context).load_ready(self.focus_area_id) if self.focus_area_id else None

    @strawberry.field(description="The indicators that measure the goal.")
    def indicators(self, info: Info) -> Resolves[list[Indicator]]:
        return pl.IndicatorsByGoalIdLoader(info.context).load_ready(self.pk)

    @strawberry.field(description="The plan the goal belongs to.")
    def plan(self, info: Info) -> Resolves[Plan]:
        return pl.PlanByIdLoader(info.context).load(self.plan_id)


@strawberry.type(description="An indicator of a goal: what is measured, from where to where.")
class Indicator(Node):
    name: str = strawberry.field(description="What is measured.")
    unit: str = strawberry.field(description="The unit of the values, e.g. pct. or antal.")
    data_source: str | None = strawberry.field(description="Where the values come from.")
    baseline: float | None = strawberry.field(description="The value at the start.")
    target: float | None = strawberry.field(description="The value the plan aims for.")
    direction: IndicatorDirection = strawberry.field(description="Which way is better.")
    version: int = version_field()
    goal_id: Private[int]

    @strawberry.field(description="The measurements over time, oldest first.")
    def measurements(self, info: Info) -> Resolves[list[Measurement]]:
        return pl.MeasurementsByIndicatorIdLoader(info.context).load_ready(self.pk)

    @strawberry.field(description="The newest measurement, if any.")
    async def latest(self, info: Info) -> Measurement | None:
        rows = await pl.MeasurementsByIndicatorIdLoader(info.context).load(self.pk)
        return rows[-1] if rows else None

    @strawberry.field(description="The goal the indicator measures.")
    def goal(self, info: Info) -> Resolves[Goal]:
        return pl.GoalByIdLoader(info.context).load(self.goal_id)


@strawberry.type(description="A measured value of an indicator for a period.")
class Measurement(Node):
    period: date = strawberry.field(description="The date the value applies to (e.g. the end of a year).")
    value: float = strawberry.field(description="The measured value.")
    note: str | None = strawberry.field(description="A remark about the value.")
    indicator_id: Private[int]


@strawberry.type(description="One party's share of a plan's budget in one year, in kroner.")
class Financing(Node):
    year: int = strawberry.field(description="The budget year.")
    party: FinancingParty = strawberry.field(description="Who pays.")
    share_percent: Decimal = strawberry.field(description="The party's share in percent.")
    budget: Decimal = strawberry.field(description="The budget in kroner.")
    spent: Decimal = strawberry.field(description="What has been spent, in kroner.")
    version: int = version_field()
    plan_id: Private[int]


@strawberry.type(description="A line of a plan's milestone plan (milepælsplan).")
class Milestone(Node):
    year: int = strawberry.field(description="The year of the milestone.")
    title: str = strawberry.field(description="What should be reached.")
    done: bool = strawberry.field(description="Whether it has been reached.")
    plan_id: Private[int]
