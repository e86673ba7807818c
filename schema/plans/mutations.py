"""Mutations of plans: the plan and its status, agreements, goals, indicators, measurements, financing."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from backend import models as m
from backend import policy
from backend.actor import Actor
from backend.services import plans as services
from backend.services.validation import UNSET
from schema.context import Context
from schema.enums import AgreementKind, FinancingParty, IndicatorDirection, PlanStatus
from schema.errors import Answer, expected_version, given, mutation, pk_of, read_back_as, visible
from schema.permissions import checked
from schema.plans.types import Agreement, Decision, Financing, Goal, Indicator, Measurement, Milestone, Plan
from schema.rows import build, field_names


@strawberry.input(description="A new plan; your housing organisation leads it and it starts PREQUALIFIED.")
class PlanCreateInput:
    name: str = strawberry.field(description="The plan's name.")
    start_date: date = strawberry.field(description="The first day.")
    end_date: date = strawberry.field(description="The last day (after the first).")
    generation_id: strawberry.ID = strawberry.field(description="The funding generation.")
    urban_area_id: strawberry.ID = strawberry.field(description="The urban area.")
    summary: str | None = strawberry.field(default=None, description="A summary.")
    board_id: strawberry.ID | None = strawberry.field(default=None, description="The district board.")
    organisation_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Other participating housing organisations."
    )
    estate_ids: list[strawberry.ID] = strawberry.field(default_factory=list, description="The estates covered.")


@strawberry.input(description="Changes to a plan; fields left out stay.")
class PlanUpdateInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    summary: str | None = strawberry.field(default=strawberry.UNSET, description="A new summary (null clears).")
    start_date: date | None = strawberry.field(default=None, description="A new first day.")
    end_date: date | None = strawberry.field(default=None, description="A new last day.")
    board_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A new district board (null clears)."
    )
    expected_version: int | None = expected_version()


@strawberry.input(description="The next status of a plan, registered by the party it belongs to.")
class PlanStatusChangeInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    status: PlanStatus = strawberry.field(description="The next status.")
    decision_date: date | None = strawberry.field(
        default=None,
        description="For a decision (e.g. APPROVED_BY_CITY_COUNCIL): the date it was made, such as "
        "the City Council's meeting; not in the future (default: today).",
    )
    note: str | None = strawberry.field(default=None, description="A note on the decision (at most 2000 characters).")
    expected_version: int | None = expected_version()


@strawberry.input(description="Do not approve a plan's next step: it goes back to the housing organisations.")
class PlanSendBackInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    note: str = strawberry.field(description="Why, and what must change (at most 2000 characters).")
    decision_date: date | None = strawberry.field(
        default=None, description="The date of the decision; not in the future (default: today)."
    )
    expected_version: int | None = expected_version()


@strawberry.input(description="A new version of a plan document; earlier versions stay as they are.")
class AgreementVersionCreateInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    kind: AgreementKind = strawberry.field(description="Which document.")
    title: str = strawberry.field(description="Its title.")
    body: str | None = strawberry.field(default=None, description="Its text.")
    focus_area_id: strawberry.ID | None = strawberry.field(
        default=None, description="The focus area (sub-agreements only)."
    )


@strawberry.input(description="Approve the latest version of a document.")
class AgreementApproveInput:
    agreement_id: strawberry.ID = strawberry.field(description="The version.")
    decision_date: date | None = strawberry.field(
        default=None, description="The date of the decision; not in the future (default: today)."
    )
    note: str | None = strawberry.field(default=None, description="A note on the decision (at most 2000 characters).")
    expected_revision: int | None = expected_version("revision")


@strawberry.input(
    description="Do not approve the latest version of a document: it goes back to the housing "
    "organisations, who write a new version."
)
class AgreementSendBackInput:
    agreement_id: strawberry.ID = strawberry.field(description="The version.")
    note: str = strawberry.field(description="Why, and what must change (at most 2000 characters).")
    decision_date: date | None = strawberry.field(
        default=None, description="The date of the decision; not in the future (default: today)."
    )
    expected_revision: int | None = expected_version("revision")


@strawberry.input(description="A new goal of a plan.")
class GoalCreateInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    title: str = strawberry.field(description="The goal.")
    focus_area_id: strawberry.ID | None = strawberry.field(default=None, description="Its focus area.")


@strawberry.input(description="Changes to a goal; fields left out stay.")
class GoalUpdateInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal.")
    title: str | None = strawberry.field(default=strawberry.UNSET, description="A new title.")
    focus_area_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="A new focus area (null: none)."
    )
    expected_version: int | None = expected_version()


@strawberry.input(description="A new indicator of a goal.")
class IndicatorCreateInput:
    goal_id: strawberry.ID = strawberry.field(description="The goal.")
    name: str = strawberry.field(description="What is measured.")
    unit: str = strawberry.field(description="The unit.")
    data_source: str | None = strawberry.field(default=None, description="Where the values come from.")
    baseline: float | None = strawberry.field(default=None, description="The value at the start.")
    target: float | None = strawberry.field(default=None, description="The value aimed for.")
    direction: IndicatorDirection = strawberry.field(
        default=IndicatorDirection.INCREASE, description="Which way is better."
    )


@strawberry.input(description="Changes to an indicator; fields left out stay, null clears the optional ones.")
class IndicatorUpdateInput:
    indicator_id: strawberry.ID = strawberry.field(description="The indicator.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description="A new name.")
    unit: str | None = strawberry.field(default=strawberry.UNSET, description="A new unit.")
    data_source: str | None = strawberry.field(default=strawberry.UNSET, description="A new data source.")
    baseline: float | None = strawberry.field(default=strawberry.UNSET, description="A new value at the start.")
    target: float | None = strawberry.field(default=strawberry.UNSET, description="A new value aimed for.")
    direction: IndicatorDirection | None = strawberry.field(default=None, description="Which way is better.")
    expected_version: int | None = expected_version()


@strawberry.input(description="A measured value; the same period again replaces the value.")
class MeasurementRecordInput:
    indicator_id: strawberry.ID = strawberry.field(description="The indicator.")
    period: date = strawberry.field(description="The date the value applies to.")
    value: float = strawberry.field(description="The value.")
    note: str | None = strawberry.field(default=None, description="A remark.")


@strawberry.input(description="One party's line of a year's financing.")
class FinancingLineInput:
    party: FinancingParty = strawberry.field(description="Who pays.")
    share_percent: Decimal = strawberry.field(description="The share in percent.")
    budget: Decimal = strawberry.field(description="The budget in kroner.")
    spent: Decimal = strawberry.field(default=Decimal("0"), description="Spent so far, in kroner.")
    expected_version: int | None = expected_version()


@strawberry.input(
    description="A year's financing, replacing the year's lines: shares sum to 100 %, "
    "Landsbyggefonden at most 75 %, local co-financing at least 25 %."
)
class FinancingSetInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    year: int = strawberry.field(description="The budget year (within the plan's period).")
    lines: list[FinancingLineInput] = strawberry.field(description="One line per party.")


@strawberry.input(description="A line of the milestone plan.")
class MilestoneCreateInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    year: int = strawberry.field(description="The year.")
    title: str = strawberry.field(description="What should be reached.")


async def _new_plan(context: Context, plan: m.Plan) -> object:
    # The creator is staff of the new plan from now on (the actor's scope was loaded before).
    if context.actor is not None and plan.id is not None:
        context.actor = dataclasses.replace(context.actor, plan_ids=context.actor.plan_ids | {plan.id})
    return await visible(context, "Plan", plan.id)


async def _decision(_context: Context, row: m.Decision) -> object:
    """A decision is read back by whoever just made it: a party of the plan."""
    return build(Decision, [getattr(row, name) for name in field_names(Decision)])


async def _financing(context: Context, rows: list[m.Financing]) -> object:
    found = [await visible(context, "Financing", r.id) for r in rows]
    return [f for f in found if f is not None]


@strawberry.type(description="Mutations of plans.")
class PlansMutation:
    @mutation(
        "PlanCreate",
        description="Start a plan (housing organisation staff).",
        access=checked(policy.can_create_plan),
        codes=["PERIOD_INVALID", "OUT_OF_RANGE"],
        answer=Answer("plan", Plan, "The new plan.", _new_plan),
    )
    async def plan_create(session: AsyncSession, actor: Actor | None, input: PlanCreateInput) -> m.Plan:
        return await services.create_plan(
            session=session,
            actor=actor,
            name=input.name,
            start_date=input.start_date,
            end_date=input.end_date,
            generation_id=pk_of("generationId", input.generation_id, "FundingGeneration"),
            urban_area_id=pk_of("urbanAreaId", input.urban_area_id, "UrbanArea"),
            summary=input.summary,
            board_id=pk_of("boardId", input.board_id, "Board", required=False),
            organisation_ids=[
                pk_of(f"organisationIds[{i}]", o, "HousingOrganisation") for i, o in enumerate(input.organisation_ids)
            ],
            estate_ids=[pk_of(f"estateIds[{i}]", e, "HousingEstate") for i, e in enumerate(input.estate_ids)],
        )

    @mutation(
        "PlanUpdate",
        description="Change a plan (its housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["PERIOD_INVALID", "OUT_OF_RANGE"],
        answer=Answer("plan", Plan, "The plan after the change.", read_back_as("Plan")),
    )
    async def plan_update(session: AsyncSession, actor: Actor | None, input: PlanUpdateInput) -> m.Plan:
        return await services.update_plan(
            session=session,
            actor=actor,
            plan_id=pk_of("planId", input.plan_id, "Plan"),
            name=given(input.name),
            summary=given(input.summary),
            start_date=input.start_date,
            end_date=input.end_date,
            board_id=(
                UNSET
                if input.board_id is strawberry.UNSET
                else pk_of("boardId", input.board_id, "Board", required=False)
            ),
            expected_version=input.expected_version,
        )

    @mutation(
        "PlanStatusChange",
        description="Move a plan to its next status: PREQUALIFIED → IN_DIALOGUE (the plan's staff) → "
        "APPROVED_BY_CITY_COUNCIL (the municipality) → APPROVED_BY_LBF (Landsbyggefonden) → "
        "ACTIVE → ENDED (the housing organisations).",
        access=checked(policy.can_change_plan_status),
        codes=["INVALID_TRANSITION", "FORBIDDEN_TRANSITION", "OUT_OF_RANGE"],
        answer=Answer("plan", Plan, "The plan with its new status.", read_back_as("Plan")),
    )
    async def plan_status_change(session: AsyncSession, actor: Actor | None, input: PlanStatusChangeInput) -> m.Plan:
        return await services.change_plan_status(
            session=session,
            actor=actor,
            plan_id=pk_of("planId", input.plan_id, "Plan"),
            status=input.status,
            decision_date=input.decision_date,
            note=input.note,
            expected_version=input.expected_version,
        )

    @mutation(
        "PlanSendBack",
        description="Send a plan back instead of approving its next step (the municipality: prequalification and "
        "the City Council's approval; Landsbyggefonden: its approval). The status stays; the decision "
        "and its note are recorded.",
        access=checked(policy.plan_decision_for),
        codes=["NOTHING_TO_DECIDE", "OUT_OF_RANGE"],
        answer=Answer("decision", Decision, "The decision as recorded.", _decision),
    )
    async def plan_send_back(session: AsyncSession, actor: Actor | None, input: PlanSendBackInput) -> m.Decision:
        return await services.send_back_plan(
            session=session,
            actor=actor,
            plan_id=pk_of("planId", input.plan_id, "Plan"),
            decision_date=input.decision_date,
            note=input.note,
            expected_version=input.expected_version,
        )

    @mutation(
        "AgreementVersionCreate",
        description="Write a new version of a plan document (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["FOCUS_AREA_NOT_IN_GENERATION"],
        answer=Answer("agreement", Agreement, "The new version.", read_back_as("Agreement")),
    )
    async def agreement_version_create(
        session: AsyncSession, actor: Actor | None, input: AgreementVersionCreateInput
    ) -> m.Agreement:
        return await services.create_agreement_version(
            session=session,
            actor=actor,
            plan_id=pk_of("planId", input.plan_id, "Plan"),
            kind=input.kind,
            title=input.title,
            body=input.body,
            focus_area_id=pk_of("focusAreaId", input.focus_area_id, "FocusArea", required=False),
        )

    @mutation(
        "AgreementApprove",
        description="Approve the latest version of a document: Landsbyggefonden the strategic "
        "agreement, the municipality the others. Approved versions never change.",
        access=checked(policy.can_approve_agreement),
        codes=["ALREADY_APPROVED", "NOT_LATEST_VERSION", "SENT_BACK", "OUT_OF_RANGE"],
        answer=Answer("agreement", Agreement, "The approved version.", read_back_as("Agreement")),
    )
    async def agreement_approve(
        session: AsyncSession, actor: Actor | None, input: AgreementApproveInput
    ) -> m.Agreement:
        return await services.approve_agreement(
            session=session,
            actor=actor,
            agreement_id=pk_of("agreementId", input.agreement_id, "Agreement"),
            decision_date=input.decision_date,
            note=input.note,
            expected_revision=input.expected_revision,
        )

    @mutation(
        "AgreementSendBack",
        description="Send the latest version of a document back instead of approving it "
        "(whoever would approve it); the housing organisations write a new version.",
        access=checked(policy.can_send_back_agreement),
        codes=["ALREADY_APPROVED", "NOT_LATEST_VERSION", "SENT_BACK", "OUT_OF_RANGE"],
        answer=Answer("decision", Decision, "The decision as recorded.", _decision),
    )
    async def agreement_send_back(
        session: AsyncSession, actor: Actor | None, input: AgreementSendBackInput
    ) -> m.Decision:
        return await services.send_back_agreement(
            session=session,
            actor=actor,
            agreement_id=pk_of("agreementId", input.agreement_id, "Agreement"),
            decision_date=input.decision_date,
            note=input.note,
            expected_revision=input.expected_revision,
        )

    @mutation(
        "GoalCreate",
        description="Add a goal to a plan (its housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["FOCUS_AREA_NOT_IN_GENERATION"],
        answer=Answer("goal", Goal, "The new goal.", read_back_as("Goal")),
    )
    async def goal_create(session: AsyncSession, actor: Actor | None, input: GoalCreateInput) -> m.Goal:
        return await services.create_goal(
            session=session,
            actor=actor,
            plan_id=pk_of("planId", input.plan_id, "Plan"),
            title=input.title,
            focus_area_id=pk_of("focusAreaId", input.focus_area_id, "FocusArea", required=False),
        )

    @mutation(
        "GoalUpdate",
        description="Change a goal (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["FOCUS_AREA_NOT_IN_GENERATION"],
        answer=Answer("goal", Goal, "The goal after the change.", read_back_as("Goal")),
    )
    async def goal_update(session: AsyncSession, actor: Actor | None, input: GoalUpdateInput) -> m.Goal:
        return await services.update_goal(
            session=session,
            actor=actor,
            goal_id=pk_of("goalId", input.goal_id, "Goal"),
            title=given(input.title),
            focus_area_id=(
                UNSET
                if input.focus_area_id is strawberry.UNSET
                else pk_of("focusAreaId", input.focus_area_id, "FocusArea", required=False)
            ),
            expected_version=input.expected_version,
        )

    @mutation(
        "IndicatorCreate",
        description="Add an indicator to a goal (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["OUT_OF_RANGE"],
        answer=Answer("indicator", Indicator, "The new indicator.", read_back_as("Indicator")),
    )
    async def indicator_create(session: AsyncSession, actor: Actor | None, input: IndicatorCreateInput) -> m.Indicator:
        return await services.create_indicator(
            session=session,
            actor=actor,
            goal_id=pk_of("goalId", input.goal_id, "Goal"),
            name=input.name,
            unit=input.unit,
            data_source=input.data_source,
            baseline=input.baseline,
            target=input.target,
            direction=input.direction,
        )

    @mutation(
        "IndicatorUpdate",
        description="Change an indicator (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["OUT_OF_RANGE"],
        answer=Answer("indicator", Indicator, "The indicator after the change.", read_back_as("Indicator")),
    )
    async def indicator_update(session: AsyncSession, actor: Actor | None, input: IndicatorUpdateInput) -> m.Indicator:
        return await services.update_indicator(
            session=session,
            actor=actor,
            indicator_id=pk_of("indicatorId", input.indicator_id, "Indicator"),
            name=given(input.name),
            unit=given(input.unit),
            data_source=given(input.data_source),
            baseline=given(input.baseline),
            target=given(input.target),
            direction=input.direction,
            expected_version=input.expected_version,
        )

    @mutation(
        "MeasurementRecord",
        description="Record a measurement of an indicator (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["OUT_OF_RANGE"],
        answer=Answer("measurement", Measurement, "The recorded measurement.", read_back_as("Measurement")),
    )
    async def measurement_record(
        session: AsyncSession, actor: Actor | None, input: MeasurementRecordInput
    ) -> m.Measurement:
        return await services.record_measurement(
            session=session,
            actor=actor,
            indicator_id=pk_of("indicatorId", input.indicator_id, "Indicator"),
            period=input.period,
            value=input.value,
            note=input.note,
        )

    @mutation(
        "FinancingSet",
        description="Set a year's financing lines (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["FINANCING_INVALID", "OUT_OF_RANGE", "DUPLICATE"],
        answer=Answer("financing", Financing, "The year's financing lines as stored.", _financing, many=True),
    )
    async def financing_set(session: AsyncSession, actor: Actor | None, input: FinancingSetInput) -> list[m.Financing]:
        return await services.set_financing(
            session=session,
            actor=actor,
            plan_id=pk_of("planId", input.plan_id, "Plan"),
            year=input.year,
            lines=[(line.party, line.share_percent, line.budget, line.spent) for line in input.lines],
            expected_versions={
                line.party: line.expected_version for line in input.lines if line.expected_version is not None
            },
        )

    @mutation(
        "MilestoneCreate",
        description="Add a line to the milestone plan (the plan's housing staff).",
        access=checked(policy.can_manage_plan),
        codes=["OUT_OF_RANGE"],
        answer=Answer("milestone", Milestone, "The new milestone.", read_back_as("Milestone")),
    )
    async def milestone_create(session: AsyncSession, actor: Actor | None, input: MilestoneCreateInput) -> m.Milestone:
        return await services.add_milestone(
            session=session,
            actor=actor,
            plan_id=pk_of("planId", input.plan_id, "Plan"),
            year=input.year,
            title=input.title,
        )
