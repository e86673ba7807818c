"""Staff run their plans: the plan and its status, agreements, goals, indicators, measurements, financing."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TypeGuard
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from backend import audit, bounds, policy, rules
from backend.actor import Actor
from backend.models import (
    ActorKind,
    Agreement,
    AgreementKind,
    Board,
    Decision,
    DecisionOutcome,
    FinancingParty,
    FundingGeneration,
    Goal,
    HousingEstate,
    HousingOrganisation,
    Indicator,
    IndicatorDirection,
    Measurement,
    Milestone,
    Plan,
    PlanEstate,
    PlanOrganisation,
    PlanStatus,
    UrbanArea,
    max_length,
    pk,
)
from backend.models import Financing as FinancingRow
from backend.services import notifications, versions
from backend.services.errors import FieldError, NotFound, ValidationFailed
from backend.services.validation import (
    UNSET,
    Checker,
    TextField,
    Unset,
    focus_area_of_plan,
    get_or_404,
    lock_plan,
    now,
    referenced,
)

PLAN_DA, PLAN_EN = "Helhedsplanen", "The plan"


async def _managed_plan(session: AsyncSession, actor: Actor | None, plan_id: int | None, field: str = "planId") -> Plan:
    plan = await get_or_404(session, Plan, plan_id, field, PLAN_DA, PLAN_EN)
    if not policy.can_manage_plan(actor, pk(plan)):
        raise NotFound(field, PLAN_DA, PLAN_EN)
    return plan


PLAN_TEXTS = (
    TextField("name", "Navnet", "The name", single_line=True),
    TextField("summary", "Resuméet", "The summary", required=False),
)


async def _ids_exist(
    session: AsyncSession,
    check: Checker,
    model: type[HousingOrganisation | HousingEstate],
    ids: list[int],
    field: str,
    da: str,
    en: str,
) -> None:
    for i, key in enumerate(ids):
        if not isinstance(key, int) or await session.get(model, key) is None:
            check.add(f"{field}[{i}]", "NOT_FOUND", f"{da} findes ikke.", f"{en} does not exist.")


async def create_plan(
    *,
    session: AsyncSession,
    actor: Actor | None,
    name: str | None,
    start_date: date | None,
    end_date: date | None,
    generation_id: int | None,
    urban_area_id: int | None,
    summary: str | None = None,
    board_id: int | None = None,
    organisation_ids: list[int] | None = None,
    estate_ids: list[int] | None = None,
) -> Plan:
    """Housing organisation staff start a plan (status PREQUALIFIED), their organisation leading it."""
    if not policy.can_create_plan(actor) or actor.housing_organisation_id is None:
        raise NotFound(None, PLAN_DA, PLAN_EN)
    check = Checker()
    texts = check.columns(Plan, PLAN_TEXTS, name=name, summary=summary)
    start_date = check.day("startDate", start_date)
    end_date = check.day("endDate", end_date)
    check.period("startDate", start_date, "endDate", end_date)
    if not isinstance(generation_id, int) or await session.get(FundingGeneration, generation_id) is None:
        check.add(
            "generationId", "NOT_FOUND", "Bevillingsperioden findes ikke.", "The funding generation does not exist."
        )
    if not isinstance(urban_area_id, int) or await session.get(UrbanArea, urban_area_id) is None:
        check.add("urbanAreaId", "NOT_FOUND", "Byområdet findes ikke.", "The urban area does not exist.")
    if board_id is not None and await session.get(Board, board_id) is None:
        check.add("boardId", "NOT_FOUND", "Bestyrelsen findes ikke.", "The board does not exist.")
    organisation_ids = [o for o in dict.fromkeys(organisation_ids or []) if o != actor.housing_organisation_id]
    estate_ids = list(dict.fromkeys(estate_ids or []))
    await _ids_exist(
        session,
        check,
        HousingOrganisation,
        organisation_ids,
        "organisationIds",
        "Boligorganisationen",
        "The housing organisation",
    )
    await _ids_exist(session, check, HousingEstate, estate_ids, "estateIds", "Afdelingen", "The housing estate")
    start_date = check.done(start_date)
    end_date = check.done(end_date)
    generation_id = check.done(generation_id)
    urban_area_id = check.done(urban_area_id)
    plan = Plan(
        status=PlanStatus.PREQUALIFIED,
        start_date=start_date,
        end_date=end_date,
        generation_id=generation_id,
        urban_area_id=urban_area_id,
        board_id=board_id,
        lead_organisation_id=actor.housing_organisation_id,
        name=check.done(texts["name"]),  # given (never UNSET) on create
        summary=texts["summary"],
    )
    session.add(plan)
    await session.flush()
    for org in [actor.housing_organisation_id, *organisation_ids]:
        session.add(PlanOrganisation(plan_id=pk(plan), organisation_id=org))
    for estate in estate_ids:
        session.add(PlanEstate(plan_id=pk(plan), estate_id=estate))
    await session.flush()
    after = audit.snapshot(plan)
    after.update(organisation_ids=[actor.housing_organisation_id, *organisation_ids], estate_ids=estate_ids)
    await audit.record(session, actor=actor, action="plan.create", obj=plan, plan_id=plan.id, after=after)
    return plan


async def update_plan(
    *,
    session: AsyncSession,
    actor: Actor | None,
    plan_id: int | None,
    name: str | None | Unset = UNSET,
    summary: str | None | Unset = UNSET,
    start_date: date | None = None,
    end_date: date | None = None,
    board_id: int | None | Unset = UNSET,
    expected_version: int | None = None,
) -> Plan:
    plan = await _managed_plan(session, actor, plan_id)
    await versions.expect(session, plan, expected_version)
    check = Checker()
    texts = check.columns(Plan, PLAN_TEXTS, name=name, summary=summary)
    new_start = check.day("startDate", start_date or plan.start_date)
    new_end = check.day("endDate", end_date or plan.end_date)
    check.period("startDate", new_start, "endDate", new_end)
    if board_id is not UNSET and board_id is not None and await session.get(Board, board_id) is None:
        check.add("boardId", "NOT_FOUND", "Bestyrelsen findes ikke.", "The board does not exist.")
    new_start = check.done(new_start)
    new_end = check.done(new_end)
    before = audit.snapshot(plan)
    for key, value in texts.items():
        setattr(plan, key, value)
    plan.start_date, plan.end_date = new_start, new_end
    if board_id is not UNSET:
        plan.board_id = board_id
    plan.updated_at = now()
    await versions.save(session, plan, expected_version)
    await audit.record(session, actor=actor, action="plan.update", obj=plan, plan_id=plan.id, before=before)
    return plan


_STATUS_DA = {
    PlanStatus.PREQUALIFIED: "prækvalificeret",
    PlanStatus.IN_DIALOGUE: "i dialog med Landsbyggefonden",
    PlanStatus.APPROVED_BY_CITY_COUNCIL: "godkendt af Borgerrepræsentationen",
    PlanStatus.APPROVED_BY_LBF: "godkendt af Landsbyggefonden",
    PlanStatus.ACTIVE: "aktiv",
    PlanStatus.ENDED: "afsluttet",
}
_WHO = {
    frozenset({ActorKind.MUNICIPALITY}): ("kommunen", "the municipality"),
    frozenset({ActorKind.FUND}): ("Landsbyggefonden", "Landsbyggefonden"),
    frozenset({ActorKind.HOUSING_ORGANISATION}): ("boligorganisationerne", "the housing organisations"),
}


# ---------------------------------------------------------------- decisions
LOCAL = ZoneInfo("Europe/Copenhagen")
DECISION_DATE_MIN = date(2000, 1, 1)
NOTE_MAX = max_length(Decision, "note")


def _decision_fields(
    check: Checker, decision_date: date | None, note: str | None, *, note_required: bool
) -> tuple[date, str | None]:
    """The decision's date (today when not given; never in the future) and its note."""
    today_here = datetime.now(LOCAL).date()
    if decision_date is not None and not (DECISION_DATE_MIN <= decision_date <= today_here):
        check.add(
            "decisionDate",
            "OUT_OF_RANGE",
            "Datoen for beslutningen skal ligge mellem 1.1.2000 og i dag.",
            "The date of the decision must lie between 1 January 2000 and today.",
        )
    note = check.text("note", note, max_len=NOTE_MAX, required=note_required, label_da="Noten", label_en="The note")
    return decision_date or today_here, note


async def _record_decision(
    session: AsyncSession,
    actor: Actor,
    *,
    plan: Plan,
    outcome: DecisionOutcome,
    decided_on: date,
    note: str | None,
    agreement: Agreement | None = None,
    to_status: PlanStatus | None = None,
) -> Decision:
    row = Decision(
        plan_id=pk(plan),
        agreement_id=agreement.id if agreement else None,
        outcome=outcome,
        from_status=plan.status,
        to_status=to_status,
        decided_on=decided_on,
        note=note,
        actor_kind=actor.kind,
    )
    session.add(row)
    await session.flush()
    return row


async def _plan_of_party(session: AsyncSession, actor: Actor | None, plan_id: int | None) -> Plan:
    plan = await get_or_404(session, Plan, plan_id, "planId", PLAN_DA, PLAN_EN)
    if not policy.is_plan_party(actor, pk(plan)):
        raise NotFound("planId", PLAN_DA, PLAN_EN)
    return plan


async def change_plan_status(
    *,
    session: AsyncSession,
    actor: Actor | None,
    plan_id: int | None,
    status: PlanStatus,
    decision_date: date | None = None,
    note: str | None = None,
    expected_version: int | None = None,
) -> Plan:
    """One step along PREQUALIFIED → IN_DIALOGUE → … → ENDED, registered by the party the step belongs to.

    A step that is the municipality's or Landsbyggefonden's decision is recorded as an approval with
    the date of the decision (e.g. the City Council's meeting) and a note.
    """
    plan = await _plan_of_party(session, actor, plan_id)
    await versions.expect(session, plan, expected_version)
    kinds = policy.PLAN_STATUS_MOVES.get((plan.status, status))
    if kinds is None:
        raise ValidationFailed(
            FieldError(
                "status",
                "INVALID_TRANSITION",
                f"En helhedsplan, der er {_STATUS_DA[plan.status]}, kan ikke blive {_STATUS_DA[status]}.",
                f"A plan that is {plan.status.value} cannot become {status.value}.",
            )
        )
    if not policy.can_change_plan_status(actor, pk(plan), plan.status, status):
        who_da, who_en = _WHO.get(kinds, ("helhedsplanens parter", "the plan's parties"))
        raise ValidationFailed(
            FieldError(
                "status",
                "FORBIDDEN_TRANSITION",
                f"Skiftet til '{_STATUS_DA[status]}' registreres af {who_da}.",
                f"The move to {status.value} is registered by {who_en}.",
            )
        )
    check = Checker()
    decided_on, note = _decision_fields(check, decision_date, note, note_required=False)
    check.done()
    before = audit.snapshot(plan)
    decision = None
    if policy.DECISION_MOVES.get(plan.status) == status:
        decision = await _record_decision(
            session,
            actor,
            plan=plan,
            outcome=DecisionOutcome.APPROVED,
            decided_on=decided_on,
            note=note,
            to_status=status,
        )
    plan.status = status
    plan.updated_at = now()
    await versions.save(session, plan, expected_version)
    after = audit.snapshot(plan)
    if decision is not None:
        after["decision"] = audit.snapshot(decision)
    await audit.record(
        session, actor=actor, action="plan.statusChange", obj=plan, plan_id=plan.id, before=before, after=after
    )
    return plan


async def send_back_plan(
    *,
    session: AsyncSession,
    actor: Actor | None,
    plan_id: int | None,
    decision_date: date | None,
    note: str | None,
    expected_version: int | None = None,
) -> Decision:
    """The municipality or Landsbyggefonden does not approve the plan's next step: the plan keeps its
    status and goes back to the housing organisations with a note saying why."""
    plan = await _plan_of_party(session, actor, plan_id)
    await versions.expect(session, plan, expected_version)
    move = policy.plan_decision_for(actor, pk(plan), plan.status)
    if move is None or actor is None:  # no move is ever the decision of someone not signed in
        raise ValidationFailed(
            FieldError(
                "planId",
                "NOTHING_TO_DECIDE",
                f"Der er ingen beslutning at træffe om en helhedsplan, der er {_STATUS_DA[plan.status]}.",
                f"There is no decision of yours on a plan that is {plan.status.value}.",
            )
        )
    check = Checker()
    decided_on, note = _decision_fields(check, decision_date, note, note_required=True)
    check.done()
    # A write of the plan (it went back), which also serialises decisions on it as lock_plan does.
    plan.updated_at = now()
    await versions.save(session, plan, expected_version, field="planId")
    decision = await _record_decision(
        session, actor, plan=plan, outcome=DecisionOutcome.SENT_BACK, decided_on=decided_on, note=note, to_status=move
    )
    await audit.record(session, actor=actor, action="plan.sendBack", obj=decision, plan_id=plan.id)
    return decision


# ---------------------------------------------------------------- agreements
async def create_agreement_version(
    *,
    session: AsyncSession,
    actor: Actor | None,
    plan_id: int | None,
    kind: AgreementKind,
    title: str | None,
    body: str | None = None,
    focus_area_id: int | None = None,
) -> Agreement:
    """A new version (the next number); earlier versions, approved or not, stay as they are."""
    plan = await _managed_plan(session, actor, plan_id)
    check = Checker()
    title = check.column(Agreement, TextField("title", "Titlen", "The title", single_line=True), title)
    body = check.column(Agreement, TextField("body", "Teksten", "The text", required=False), body)
    if kind == AgreementKind.SUB_AGREEMENT:
        code = "REQUIRED" if focus_area_id is None else "NOT_FOUND"
        why_da, why_en = "En delaftale hører til et indsatsområde.", "A sub-agreement belongs to a focus area."
        await focus_area_of_plan(session, check, focus_area_id, plan, absent=(code, why_da, why_en))
    elif focus_area_id is not None:
        check.add(
            "focusAreaId", "INVALID", "Kun delaftaler har et indsatsområde.", "Only sub-agreements have a focus area."
        )
        focus_area_id = None
    title = check.done(title)
    await lock_plan(session, pk(plan))
    latest = (
        await session.execute(
            select(func.max(Agreement.version)).where(
                col(Agreement.plan_id) == plan.id,
                col(Agreement.kind) == kind,
                col(Agreement.focus_area_id).is_(None)
                if focus_area_id is None
                else col(Agreement.focus_area_id) == focus_area_id,
            )
        )
    ).scalar()
    row = Agreement(
        plan_id=pk(plan), kind=kind, focus_area_id=focus_area_id, version=(latest or 0) + 1, title=title, body=body
    )
    await audit.created(session, row, actor=actor, action="agreement.versionCreate", plan_id=plan.id)
    await notifications.agreement_awaits_approval(session, actor, row, plan)
    return row


async def _undecided_latest_version(
    session: AsyncSession,
    actor: Actor | None,
    agreement_id: int | None,
    allowed: Callable[[Actor | None, int, AgreementKind], TypeGuard[Actor]],
    expected_revision: int | None,
) -> tuple[Agreement, Actor]:
    """The version to decide on: one the actor decides on, the newest of its document, not decided yet;
    and the actor who decides."""
    row = await get_or_404(session, Agreement, agreement_id, "agreementId", "Aftalen", "The agreement")
    if not allowed(actor, row.plan_id, row.kind):
        raise NotFound("agreementId", "Aftalen", "The agreement")
    await lock_plan(session, row.plan_id)
    await session.refresh(row)  # another decision may have been committed meanwhile
    await versions.expect(session, row, expected_revision, field="agreementId")
    if row.approved_at is not None:
        raise ValidationFailed(
            FieldError(
                "agreementId",
                "ALREADY_APPROVED",
                "Denne version er allerede godkendt.",
                "This version is already approved.",
            )
        )
    sent_back = (
        await session.execute(
            select(func.count(col(Decision.id))).where(
                col(Decision.agreement_id) == row.id, col(Decision.outcome) == DecisionOutcome.SENT_BACK
            )
        )
    ).scalar()
    if sent_back:
        raise ValidationFailed(
            FieldError(
                "agreementId",
                "SENT_BACK",
                "Denne version er sendt tilbage; boligorganisationen skriver en ny version.",
                "This version was sent back; the housing organisation writes a new version.",
            )
        )
    latest = (
        await session.execute(
            select(func.max(Agreement.version)).where(
                col(Agreement.plan_id) == row.plan_id,
                col(Agreement.kind) == row.kind,
                col(Agreement.focus_area_id).is_(None)
                if row.focus_area_id is None
                else col(Agreement.focus_area_id) == row.focus_area_id,
            )
        )
    ).scalar()
    if row.version != latest:
        raise ValidationFailed(
            FieldError(
                "agreementId",
                "NOT_LATEST_VERSION",
                f"Kun den nyeste version ({latest}) kan godkendes.",
                f"Only the latest version ({latest}) can be approved.",
            )
        )
    return row, actor


async def approve_agreement(
    *,
    session: AsyncSession,
    actor: Actor | None,
    agreement_id: int | None,
    decision_date: date | None = None,
    note: str | None = None,
    expected_revision: int | None = None,
) -> Agreement:
    row, decider = await _undecided_latest_version(
        session, actor, agreement_id, policy.can_approve_agreement, expected_revision
    )
    check = Checker()
    decided_on, note = _decision_fields(check, decision_date, note, note_required=False)
    check.done()
    before = audit.snapshot(row)
    plan = await referenced(session, Plan, row.plan_id)
    decision = await _record_decision(
        session, decider, plan=plan, agreement=row, outcome=DecisionOutcome.APPROVED, decided_on=decided_on, note=note
    )
    row.approved_at = now()
    await versions.save(session, row, expected_revision, field="agreementId")
    after = {**audit.snapshot(row), "decision": audit.snapshot(decision)}
    await audit.record(
        session, actor=actor, action="agreement.approve", obj=row, plan_id=row.plan_id, before=before, after=after
    )
    return row


async def send_back_agreement(
    *,
    session: AsyncSession,
    actor: Actor | None,
    agreement_id: int | None,
    decision_date: date | None,
    note: str | None,
    expected_revision: int | None = None,
) -> Decision:
    """Instead of approving a version, send it back to the housing organisations with a note."""
    row, decider = await _undecided_latest_version(
        session, actor, agreement_id, policy.can_send_back_agreement, expected_revision
    )
    check = Checker()
    decided_on, note = _decision_fields(check, decision_date, note, note_required=True)
    check.done()
    await versions.save(session, row, expected_revision, field="agreementId")  # it is sent back: a write of it
    plan = await referenced(session, Plan, row.plan_id)
    decision = await _record_decision(
        session, decider, plan=plan, agreement=row, outcome=DecisionOutcome.SENT_BACK, decided_on=decided_on, note=note
    )
    await audit.record(session, actor=actor, action="agreement.sendBack", obj=decision, plan_id=row.plan_id)
    return decision


# ---------------------------------------------------------------- goals, indicators, measurements
GOAL_TITLE = TextField("title", "Målet", "The goal", single_line=True)


async def create_goal(
    *,
    session: AsyncSession,
    actor: Actor | None,
    plan_id: int | None,
    title: str | None,
    focus_area_id: int | None = None,
) -> Goal:
    plan = await _managed_plan(session, actor, plan_id)
    check = Checker()
    title = check.column(Goal, GOAL_TITLE, title)
    if focus_area_id is not None:
        await focus_area_of_plan(session, check, focus_area_id, plan)
    title = check.done(title)
    goal = Goal(plan_id=pk(plan), title=title, focus_area_id=focus_area_id)
    return await audit.created(session, goal, actor=actor, action="goal.create", plan_id=plan.id)


async def update_goal(
    *,
    session: AsyncSession,
    actor: Actor | None,
    goal_id: int | None,
    title: str | None | Unset = UNSET,
    focus_area_id: int | None | Unset = UNSET,
    expected_version: int | None = None,
) -> Goal:
    """Staff of the plan change a goal's title or focus area (null: none)."""
    goal = await _managed_goal(session, actor, goal_id)
    await versions.expect(session, goal, expected_version, field="goalId")
    plan = await referenced(session, Plan, goal.plan_id)
    check = Checker()
    new_title = check.column(Goal, GOAL_TITLE, title) if title is not UNSET else goal.title
    if focus_area_id is not UNSET and focus_area_id is not None:
        await focus_area_of_plan(session, check, focus_area_id, plan)
    new_title = check.done(new_title)
    before = audit.snapshot(goal)
    goal.title = new_title
    if focus_area_id is not UNSET:
        goal.focus_area_id = focus_area_id
    await versions.save(session, goal, expected_version, field="goalId")
    await audit.record(session, actor=actor, action="goal.update", obj=goal, plan_id=goal.plan_id, before=before)
    return goal


async def _managed_goal(session: AsyncSession, actor: Actor | None, goal_id: int | None) -> Goal:
    goal = await get_or_404(session, Goal, goal_id, "goalId", "Målet", "The goal")
    if not policy.can_manage_plan(actor, goal.plan_id):
        raise NotFound("goalId", "Målet", "The goal")
    return goal


INDICATOR_TEXTS = (
    TextField("name", "Navnet", "The name", single_line=True),
    TextField("unit", "Enheden", "The unit", single_line=True),
    TextField("data_source", "Datakilden", "The data source", required=False, single_line=True),
)


def _indicator_fields(
    check: Checker,
    *,
    name: str | None | Unset = UNSET,
    unit: str | None | Unset = UNSET,
    data_source: str | None | Unset = UNSET,
    baseline: float | None | Unset = UNSET,
    target: float | None | Unset = UNSET,
) -> tuple[dict[str, str | None], dict[str, float | None]]:
    """The given texts and numbers of an indicator, checked (left-out ones are not in the result)."""
    texts = check.columns(Indicator, INDICATOR_TEXTS, name=name, unit=unit, data_source=data_source)
    numbers = {key: check.number(key, n) for key, n in (("baseline", baseline), ("target", target)) if n is not UNSET}
    return texts, numbers


async def create_indicator(
    *,
    session: AsyncSession,
    actor: Actor | None,
    goal_id: int | None,
    name: str | None,
    unit: str | None,
    data_source: str | None = None,
    baseline: float | None = None,
    target: float | None = None,
    direction: IndicatorDirection = IndicatorDirection.INCREASE,
) -> Indicator:
    goal = await _managed_goal(session, actor, goal_id)
    check = Checker()
    texts, numbers = _indicator_fields(
        check, name=name, unit=unit, data_source=data_source, baseline=baseline, target=target
    )
    checked_name, checked_unit = check.done(texts["name"], texts["unit"])  # all five are given on create
    row = Indicator(
        goal_id=pk(goal),
        name=checked_name,
        unit=checked_unit,
        data_source=texts["data_source"],
        baseline=numbers["baseline"],
        target=numbers["target"],
        direction=direction,
    )
    return await audit.created(session, row, actor=actor, action="indicator.create", plan_id=goal.plan_id)


async def _managed_indicator(
    session: AsyncSession, actor: Actor | None, indicator_id: int | None
) -> tuple[Indicator, Goal]:
    row = await get_or_404(session, Indicator, indicator_id, "indicatorId", "Indikatoren", "The indicator")
    goal = await referenced(session, Goal, row.goal_id)
    if not policy.can_manage_plan(actor, goal.plan_id):
        raise NotFound("indicatorId", "Indikatoren", "The indicator")
    return row, goal


async def update_indicator(
    *,
    session: AsyncSession,
    actor: Actor | None,
    indicator_id: int | None,
    name: str | None | Unset = UNSET,
    unit: str | None | Unset = UNSET,
    data_source: str | None | Unset = UNSET,
    baseline: float | None | Unset = UNSET,
    target: float | None | Unset = UNSET,
    direction: IndicatorDirection | None = None,
    expected_version: int | None = None,
) -> Indicator:
    """Staff of the plan change an indicator; fields left out stay, null clears the optional ones."""
    row, goal = await _managed_indicator(session, actor, indicator_id)
    await versions.expect(session, row, expected_version, field="indicatorId")
    check = Checker()
    texts, numbers = _indicator_fields(
        check, name=name, unit=unit, data_source=data_source, baseline=baseline, target=target
    )
    check.done()
    before = audit.snapshot(row)
    for key, value in {**texts, **numbers}.items():
        setattr(row, key, value)
    if direction is not None:
        row.direction = direction
    await versions.save(session, row, expected_version, field="indicatorId")
    await audit.record(session, actor=actor, action="indicator.update", obj=row, plan_id=goal.plan_id, before=before)
    return row


async def record_measurement(
    *,
    session: AsyncSession,
    actor: Actor | None,
    indicator_id: int | None,
    period: date | None,
    value: float | None,
    note: str | None = None,
) -> Measurement:
    """A measured value for a period; recording the same period again replaces the value (audited)."""
    indicator, goal = await _managed_indicator(session, actor, indicator_id)
    check = Checker()
    plan = await referenced(session, Plan, goal.plan_id)
    period = check.plan_day("period", period, plan)
    value = check.number("value", value, required=True)
    note = check.column(Measurement, TextField("note", "Noten", "The note", required=False), note)
    period = check.done(period)
    value = check.done(value)
    row = (
        await session.execute(
            select(Measurement).where(col(Measurement.indicator_id) == indicator.id, col(Measurement.period) == period)
        )
    ).scalar_one_or_none()
    before = audit.snapshot(row)
    if row is None:
        row = Measurement(indicator_id=pk(indicator), period=period, value=value, note=note)
        session.add(row)
    else:
        row.value, row.note = value, note
    await session.flush()
    await audit.record(session, actor=actor, action="measurement.record", obj=row, plan_id=goal.plan_id, before=before)
    return row


# ---------------------------------------------------------------- financing
MONEY_MAX = Decimal("999999999999.99")


async def set_financing(
    *,
    session: AsyncSession,
    actor: Actor | None,
    plan_id: int | None,
    year: int | None,
    lines: list[tuple[FinancingParty, object, object, object]],
    expected_versions: Mapping[FinancingParty, int] | None = None,
) -> list[FinancingRow]:
    """Replace one year's financing lines; the split must hold the rules.

    Each line is (party, share %, budget, spent). A party's line that is already stored is updated in
    place, as a new version (only while it is at the version `expected_versions` gives for the party,
    if it gives one); new parties' lines are added and the other parties' removed."""
    plan = await _managed_plan(session, actor, plan_id)
    check = Checker()
    year = check.int_range("year", year, low=plan.start_date.year, high=plan.end_date.year)
    parsed: list[tuple[FinancingParty, Decimal, Decimal, Decimal]] = []
    seen: set[FinancingParty] = set()
    if not lines:
        check.add(
            "lines", "REQUIRED", "Der skal være mindst én finansieringslinje.", "At least one financing line is needed."
        )
    for i, (party, share, budget, spent) in enumerate(lines or []):
        if party in seen:
            check.add(f"lines[{i}].party", "DUPLICATE", "Parten er nævnt to gange.", "The party is listed twice.")
        seen.add(party)
        s = check.decimal(f"lines[{i}].sharePercent", share, low=Decimal("0"), high=Decimal("100"))
        b = check.decimal(f"lines[{i}].budget", budget, low=Decimal("0"), high=MONEY_MAX)
        sp = check.decimal(f"lines[{i}].spent", spent if spent is not None else 0, low=Decimal("0"), high=MONEY_MAX)
        if s is not None and b is not None and sp is not None:
            parsed.append((party, s, b, sp))
    if not check.errors:
        problems = rules.financing_problems((p, s) for p, s, _, _ in parsed)
        if problems:
            check.add(
                "lines",
                "FINANCING_INVALID",
                "Finansieringen skal summere til 100 %, Landsbyggefonden højst 75 % og den lokale "
                "medfinansiering mindst 25 %.",
                "Financing must sum to 100 %, with Landsbyggefonden at most 75 % and local co-financing "
                "at least 25 %: " + "; ".join(problems) + ".",
            )
    year = check.done(year)
    await lock_plan(session, pk(plan))
    old = list(
        (
            await session.execute(
                select(FinancingRow).where(col(FinancingRow.plan_id) == plan.id, col(FinancingRow.year) == year)
            )
        ).scalars()
    )
    before = {"year": year, "lines": [audit.snapshot(r) for r in old]}
    stored = {FinancingParty(r.party): r for r in old}
    gone = [pk(r) for party, r in stored.items() if party not in seen]
    if gone:
        await session.execute(delete(FinancingRow).where(col(FinancingRow.id).in_(gone)))
    rows: list[FinancingRow] = []
    for p, s, b, sp in parsed:
        row = stored.get(p)
        if row is None:
            row = FinancingRow(plan_id=pk(plan), year=year, party=p, share_percent=s, budget=b, spent=sp)
            session.add(row)
        else:
            row.share_percent, row.budget, row.spent = s, b, sp
            expected = (expected_versions or {}).get(p)
            await versions.save(session, row, expected, audit_key=("Financing", pk(plan)))
        rows.append(row)
    await session.flush()
    await audit.record(
        session,
        actor=actor,
        action="financing.set",
        object_type="Financing",
        object_id=plan.id,
        plan_id=plan.id,
        before=before,
        after={"year": year, "lines": [audit.snapshot(r) for r in rows]},
    )
    return rows


async def add_milestone(
    *, session: AsyncSession, actor: Actor | None, plan_id: int | None, year: int | None, title: str | None
) -> Milestone:
    plan = await _managed_plan(session, actor, plan_id)
    check = Checker()
    low, high = bounds.plan_days(plan.start_date, plan.end_date)
    year = check.int_range("year", year, low=low.year, high=high.year)
    title = check.column(Milestone, TextField("title", "Milepælen", "The milestone", single_line=True), title)
    year = check.done(year)
    title = check.done(title)
    row = Milestone(plan_id=pk(plan), year=year, title=title)
    return await audit.created(session, row, actor=actor, action="milestone.create", plan_id=plan.id)
