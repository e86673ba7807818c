"""The yearly report to Landsbyggefonden as the API shows it (data from backend/report.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry import Private
from strawberry.types import Info

from backend import report
from schema.enums import ActivityStatus, IndicatorDirection
from schema.loaders import Resolves
from schema.plans import loaders as pl
from schema.plans.types import Financing
from schema.rows import copied

if TYPE_CHECKING:
    from schema.activities.types import Activity
    from schema.plans.types import Goal, Indicator, Plan

PlanRef = Annotated["Plan", strawberry.lazy("schema.plans.types")]
GoalRef = Annotated["Goal", strawberry.lazy("schema.plans.types")]
IndicatorRef = Annotated["Indicator", strawberry.lazy("schema.plans.types")]
ActivityRef = Annotated["Activity", strawberry.lazy("schema.activities.types")]


@strawberry.type(description="Goal attainment of one indicator in the report year.")
class AnnualReportIndicator:
    name: str = strawberry.field(description="What is measured.")
    unit: str = strawberry.field(description="The unit.")
    direction: IndicatorDirection = strawberry.field(description="Which way is better.")
    baseline: float | None = strawberry.field(description="The value at the start.")
    target: float | None = strawberry.field(description="The value aimed for.")
    latest_value: float | None = strawberry.field(description="The newest value measured up to the end of the year.")
    latest_period: date | None = strawberry.field(description="The period of that value.")
    indicator_id: Private[int]
    goal_id: Private[int]

    @strawberry.field(description="The indicator.")
    async def indicator(self, info: Info) -> IndicatorRef | None:
        from schema.errors import visible

        # The Node lookup reads it as the type of that name.
        return cast("Indicator | None", await visible(info.context, "Indicator", self.indicator_id))

    @strawberry.field(description="The goal the indicator measures.")
    def goal(self, info: Info) -> Resolves[GoalRef]:
        return pl.GoalByIdLoader(info.context).load(self.goal_id)


@strawberry.type(description="An activity's held occurrences and participants in the report year.")
class ActivityTotal:
    title: str = strawberry.field(description="The activity's title.")
    status: ActivityStatus = strawberry.field(description="Its status now.")
    occurrences: int = strawberry.field(description="Occurrences held in the year (cancelled ones not counted).")
    participants: int = strawberry.field(description="The sum of the participant counts of those occurrences.")
    activity_id: Private[int]

    @strawberry.field(description="The activity.")
    def activity(self, info: Info) -> Resolves[ActivityRef | None]:
        from schema.activities.loaders import ActivityByIdLoader

        return ActivityByIdLoader(info.context).load(self.activity_id)


@strawberry.type(
    description="The yearly report of a plan to Landsbyggefonden: financing, goals, activities, "
    "and the milestones of the coming year."
)
class AnnualReport:
    year: int = strawberry.field(description="The report year (a calendar year).")
    financing: list[Financing] = strawberry.field(description="The year's financing per party.")
    financing_valid: bool = strawberry.field(
        description="Whether the split holds: shares sum to 100 %, Landsbyggefonden at most 75 %, "
        "local co-financing at least 25 %."
    )
    financing_problems: list[str] = strawberry.field(description="What is wrong with the split (English).")
    budget_total: Decimal = strawberry.field(description="The year's budget, all parties, in kroner.")
    spent_total: Decimal = strawberry.field(description="Spent in the year, all parties, in kroner.")
    indicators: list[AnnualReportIndicator] = strawberry.field(
        description="Goal attainment: baseline, target and latest measurement per indicator."
    )
    activities: list[ActivityTotal] = strawberry.field(description="The plan's activities with their totals.")
    occurrences_total: int = strawberry.field(description="Occurrences held in the year, all activities.")
    participants_total: int = strawberry.field(description="Participants in the year, all activities.")
    milestones_next_year: list[str] = strawberry.field(description="The milestone plan of the coming year.")
    csv_url: str = strawberry.field(
        description="The report as a CSV file for Danish Excel (semicolons, decimal comma, UTF-8 with BOM), on the "
        "address the request came to (relative when there is no request)."
    )
    csv_rfc4180_url: str = strawberry.field(
        description="The report as plain RFC 4180 CSV (commas, decimal point, UTF-8), for programs."
    )
    xlsx_url: str = strawberry.field(description="The report as a spreadsheet (XLSX).")
    plan_id: Private[int]
    goal_ids: Private[list[int]]

    @strawberry.field(description="The plan.")
    def plan(self, info: Info) -> Resolves[PlanRef]:
        return pl.PlanByIdLoader(info.context).load(self.plan_id)

    @strawberry.field(description="The plan's goals.")
    def goals(self, info: Info) -> Resolves[list[GoalRef]]:
        return pl.GoalsByPlanIdLoader(info.context).load(self.plan_id)


def site_of(request: object) -> str:
    """The scheme, host and port the request came to ("" without a request: the links are then relative)."""
    base_url = getattr(request, "base_url", None)
    return str(base_url).rstrip("/") if base_url else ""


def from_data(data: report.AnnualReportData, *, base: str = "") -> AnnualReport:
    return copied(
        AnnualReport,
        data,
        financing=[copied(Financing, f, pk=f.id, year=data.year, plan_id=data.plan_id) for f in data.financing],
        indicators=[copied(AnnualReportIndicator, i) for i in data.indicators],
        activities=[copied(ActivityTotal, a) for a in data.activities],
        csv_url=base + report.file_path(data.plan_id, data.year, "csv"),
        csv_rfc4180_url=base + report.file_path(data.plan_id, data.year, "csv", dialect="rfc4180"),
        xlsx_url=base + report.file_path(data.plan_id, data.year, "xlsx"),
    )
