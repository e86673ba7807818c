"""Mutations of plans: the plan and its status, agreements, goals, indicators, measurements, financing."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from backend import policy
from backend.services import plans as services
from backend.services.validation import UNSET
from schema.enums import AgreementKind, FinancingParty, IndicatorDirection, PlanStatus
from schema.errors import payload_types, pk_of, run_mutation, visible
from schema.permissions import checked
from schema.plans.types import Agreement, Decision, Financing, Goal, Indicator, Measurement, Milestone, Plan
from schema.rows import build, field_names


def given(value):
    return UNSET if value is strawberry.UNSET else value


PlanCreatePayload = payload_types(
    "PlanCreate", "plan", Plan, ["PERIOD_INVALID", "OUT_OF_RANGE"], field_description="The new plan."
)
PlanUpdatePayload = payload_types(
    "PlanUpdate", "plan", Plan, ["PERIOD_INVALID", "OUT_OF_RANGE"], field_description="The plan after the change."
)
PlanStatusChangePayload = payload_types(
    "PlanStatusChange",
    "plan",
    Plan,
    ["INVALID_TRANSITION", "FORBIDDEN_TRANSITION", "OUT_OF_RANGE"],
    field_description="The plan with its new status.",
)
AgreementVersionCreatePayload = payload_types(
    "AgreementVersionCreate",
    "agreement",
    Agreement,
    ["FOCUS_AREA_NOT_IN_GENERATION"],
    field_description="The new version.",
)
AgreementApprovePayload = payload_types(
    "AgreementApprove",
    "agreement",
    Agreement,
    ["ALREADY_APPROVED", "NOT_LATEST_VERSION", "SENT_BACK", "OUT_OF_RANGE"],
    field_description="The approved version.",
)
PlanSendBackPayload = payload_types(
    "PlanSendBack",
    "decision",
    Decision,
    ["NOTHING_TO_DECIDE", "OUT_OF_RANGE"],
    field_description="The decision as recorded.",
)
AgreementSendBackPayload = payload_types(
    "AgreementSendBack",
    "decision",
    Decision,
    ["ALREADY_APPROVED", "NOT_LATEST_VERSION", "SENT_BACK", "OUT_OF_RANGE"],
    field_description="The decision as recorded.",
)
GoalCreatePayload = payload_types(
    "GoalCreate", "goal", Goal, ["FOCUS_AREA_NOT_IN_GENERATION"], field_description="The new goal."
)
IndicatorCreatePayload = payload_types(
    "IndicatorCreate", "indicator", Indicator, ["OUT_OF_RANGE"], field_description="The new indicator."
)
MeasurementRecordPayload = payload_types(
    "MeasurementRecord", "measurement", Measurement, ["OUT_OF_RANGE"], field_description="The recorded measurement."
)
FinancingSetPayload = payload_types(
    "FinancingSet",
    "financing",
    Financing,
    ["FINANCING_INVALID", "OUT_OF_RANGE", "DUPLICATE"],
    many=True,
    field_description="The year's financing lines as stored.",
)
MilestoneCreatePayload = payload_types(
    "MilestoneCreate", "milestone", Milestone, ["OUT_OF_RANGE"], field_description="The new milestone."
)


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


@strawberry.input(description="Do not approve a plan's next step: it goes back to the housing organisations.")
class PlanSendBackInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    note: str = strawberry.field(description="Why, and what must change (at most 2000 characters).")
    decision_date: date | None = strawberry.field(
        default=None, description="The date of the decision; not in the future (default: today)."
    )


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


@strawberry.input(description="A new goal of a plan.")
class GoalCreateInput:
    plan_id: strawberry.ID = strawberry.field(description="The plan.")
    title: str = strawberry.field(description="The goal.")
    focus_area_id: strawberry.ID | None = strawberry.field(default=None, description="Its focus area.")


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


async def _plan(context, row):
    return await visible(context, "Plan", row.id)


async def _decision(_context, row):
    """A decision is read back by whoever just made it: a party of the plan."""
    return build(Decision, [getattr(row, name) for name in field_names(Decision)])


@strawberry.type(description="Mutations of plans.")
class PlansMutation:
    @strawberry.mutation(description="Start a plan (housing organisation staff).", **checked(policy.can_create_plan))
    async def plan_create(
        self, info: Info, input: Annotated[PlanCreateInput, strawberry.argument(description="What to do.")]
    ) -> PlanCreatePayload:
        async def work(session, actor):
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
                    pk_of(f"organisationIds[{i}]", o, "HousingOrganisation")
                    for i, o in enumerate(input.organisation_ids)
                ],
                estate_ids=[pk_of(f"estateIds[{i}]", e, "HousingEstate") for i, e in enumerate(input.estate_ids)],
            )

        async def read_back(context, plan):
            # The creator is staff of the new plan from now on (the actor's scope was loaded before).
            context.actor = dataclasses.replace(context.actor, plan_ids=context.actor.plan_ids | {plan.id})
            return await _plan(context, plan)

        return await run_mutation(info, PlanCreatePayload, work, read_back)

    @strawberry.mutation(description="Change a plan (its housing staff).", **checked(policy.can_manage_plan))
    async def plan_update(
        self, info: Info, input: Annotated[PlanUpdateInput, strawberry.argument(description="What to do.")]
    ) -> PlanUpdatePayload:
        async def work(session, actor):
            board = given(input.board_id)
            return await services.update_plan(
                session=session,
                actor=actor,
                plan_id=pk_of("planId", input.plan_id, "Plan"),
                name=given(input.name),
                summary=given(input.summary),
                start_date=input.start_date,
                end_date=input.end_date,
                board_id=board if board is UNSET else pk_of("boardId", board, "Board", required=False),
            )

        return await run_mutation(info, PlanUpdatePayload, work, _plan)

    @strawberry.mutation(
        description="Move a plan to its next status: PREQUALIFIED → IN_DIALOGUE (the plan's staff) → "
        "APPROVED_BY_CITY_COUNCIL (the municipality) → APPROVED_BY_LBF (Landsbyggefonden) → "
        "ACTIVE → ENDED (the housing organisations).",
        **checked(policy.can_change_plan_status),
    )
    async def plan_status_change(
        self, info: Info, input: Annotated[PlanStatusChangeInput, strawberry.argument(description="What to do.")]
    ) -> PlanStatusChangePayload:
        async def work(session, actor):
            return await services.change_plan_status(
                session=session,
                actor=actor,
                plan_id=pk_of("planId", input.plan_id, "Plan"),
                status=input.status,
                decision_date=input.decision_date,
                note=input.note,
            )

        return await run_mutation(info, PlanStatusChangePayload, work, _plan)

    @strawberry.mutation(
        description="Send a plan back instead of approving its next step (the municipality: prequalification and "
        "the City Council's approval; Landsbyggefonden: its approval). The status stays; the decision "
        "and its note are recorded.",
        **checked(policy.plan_decision_for),
    )
    async def plan_send_back(
        self, info: Info, input: Annotated[PlanSendBackInput, strawberry.argument(description="What to do.")]
    ) -> PlanSendBackPayload:
        async def work(session, actor):
            return await services.send_back_plan(
                session=session,
                actor=actor,
                plan_id=pk_of("planId", input.plan_id, "Plan"),
                decision_date=input.decision_date,
                note=input.note,
            )

        return await run_mutation(info, PlanSendBackPayload, work, _decision)

    @strawberry.mutation(
        description="Write a new version of a plan document (the plan's housing staff).",
        **checked(policy.can_manage_plan),
    )
    async def agreement_version_create(
        self, info: Info, input: Annotated[AgreementVersionCreateInput, strawberry.argument(description="What to do.")]
    ) -> AgreementVersionCreatePayload:
        async def work(session, actor):
            return await services.create_agreement_version(
                session=session,
                actor=actor,
                plan_id=pk_of("planId", input.plan_id, "Plan"),
                kind=input.kind,
                title=input.title,
                body=input.body,
                focus_area_id=pk_of("focusAreaId", input.focus_area_id, "FocusArea", required=False),
            )

        return await run_mutation(info, AgreementVersionCreatePayload, work, lambda c, r: visible(c, "Agreement", r.id))

    @strawberry.mutation(
        description="Approve the latest version of a document: Landsbyggefonden the strategic "
        "agreement, the municipality the others. Approved versions never change.",
        **checked(policy.can_approve_agreement),
    )
    async def agreement_approve(
        self, info: Info, input: Annotated[AgreementApproveInput, strawberry.argument(description="What to do.")]
    ) -> AgreementApprovePayload:
        async def work(session, actor):
            return await services.approve_agreement(
                session=session,
                actor=actor,
                agreement_id=pk_of("agreementId", input.agreement_id, "Agreement"),
                decision_date=input.decision_date,
                note=input.note,
            )

        return await run_mutation(info, AgreementApprovePayload, work, lambda c, r: visible(c, "Agreement", r.id))

    @strawberry.mutation(
        description="Send the latest version of a document back instead of approving it "
        "(whoever would approve it); the housing organisations write a new version.",
        **checked(policy.can_send_back_agreement),
    )
    async def agreement_send_back(
        self, info: Info, input: Annotated[AgreementSendBackInput, strawberry.argument(description="What to do.")]
    ) -> AgreementSendBackPayload:
        async def work(session, actor):
            return await services.send_back_agreement(
                session=session,
                actor=actor,
                agreement_id=pk_of("agreementId", input.agreement_id, "Agreement"),
                decision_date=input.decision_date,
                note=input.note,
            )

        return await run_mutation(info, AgreementSendBackPayload, work, _decision)

    @strawberry.mutation(description="Add a goal to a plan (its housing staff).", **checked(policy.can_manage_plan))
    async def goal_create(
        self, info: Info, input: Annotated[GoalCreateInput, strawberry.argument(description="What to do.")]
    ) -> GoalCreatePayload:
        async def work(session, actor):
            return await services.create_goal(
                session=session,
                actor=actor,
                plan_id=pk_of("planId", input.plan_id, "Plan"),
                title=input.title,
                focus_area_id=pk_of("focusAreaId", input.focus_area_id, "FocusArea", required=False),
            )

        return await run_mutation(info, GoalCreatePayload, work, lambda c, r: visible(c, "Goal", r.id))

    @strawberry.mutation(
        description="Add an indicator to a goal (the plan's housing staff).", **checked(policy.can_manage_plan)
    )
    async def indicator_create(
        self, info: Info, input: Annotated[IndicatorCreateInput, strawberry.argument(description="What to do.")]
    ) -> IndicatorCreatePayload:
        async def work(session, actor):
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

        return await run_mutation(info, IndicatorCreatePayload, work, lambda c, r: visible(c, "Indicator", r.id))

    @strawberry.mutation(
        description="Record a measurement of an indicator (the plan's housing staff).",
        **checked(policy.can_manage_plan),
    )
    async def measurement_record(
        self, info: Info, input: Annotated[MeasurementRecordInput, strawberry.argument(description="What to do.")]
    ) -> MeasurementRecordPayload:
        async def work(session, actor):
            return await services.record_measurement(
                session=session,
                actor=actor,
                indicator_id=pk_of("indicatorId", input.indicator_id, "Indicator"),
                period=input.period,
                value=input.value,
                note=input.note,
            )

        return await run_mutation(info, MeasurementRecordPayload, work, lambda c, r: visible(c, "Measurement", r.id))

    @strawberry.mutation(
        description="Set a year's financing lines (the plan's housing staff).", **checked(policy.can_manage_plan)
    )
    async def financing_set(
        self, info: Info, input: Annotated[FinancingSetInput, strawberry.argument(description="What to do.")]
    ) -> FinancingSetPayload:
        async def work(session, actor):
            return await services.set_financing(
                session=session,
                actor=actor,
                plan_id=pk_of("planId", input.plan_id, "Plan"),
                year=input.year,
                lines=[(line.party, line.share_percent, line.budget, line.spent) for line in input.lines],
            )

        async def read_back(context, rows):
            found = [await visible(context, "Financing", r.id) for r in rows]
            return [f for f in found if f is not None]

        return await run_mutation(info, FinancingSetPayload, work, read_back)

    @strawberry.mutation(
        description="Add a line to the milestone plan (the plan's housing staff).", **checked(policy.can_manage_plan)
    )
    async def milestone_create(
        self, info: Info, input: Annotated[MilestoneCreateInput, strawberry.argument(description="What to do.")]
    ) -> MilestoneCreatePayload:
        async def work(session, actor):
            return await services.add_milestone(
                session=session,
                actor=actor,
                plan_id=pk_of("planId", input.plan_id, "Plan"),
                year=input.year,
                title=input.title,
            )

        return await run_mutation(info, MilestoneCreatePayload, work, lambda c, r: visible(c, "Milestone", r.id))
