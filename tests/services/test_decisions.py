"""Decisions of the municipality and Landsbyggefonden: approve a plan's step or a document version
with the date of the decision and a note, or send it back; each actor decides only its own moves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from backend import policy
from backend.models import Agreement, AgreementKind, AuditEvent, Decision, DecisionOutcome, Plan, PlanStatus
from backend.services import NotFound, ValidationFailed, plans
from tests.services.world import ACTOR_KINDS, build_world, call, fetch


def codes(exc) -> set[str]:
    return {e.code for e in exc.errors}


async def _rows(model, *where):
    from backend.db import new_session

    async with new_session() as s:
        return list((await s.execute(select(model).where(*where).order_by(model.id))).scalars())


# Which kind decides on a plan in which status (DOMAIN.md): nobody else sees a decision there.
DECIDES = {
    PlanStatus.PREQUALIFIED: ("municipality", PlanStatus.IN_DIALOGUE),
    PlanStatus.IN_DIALOGUE: ("municipality", PlanStatus.APPROVED_BY_CITY_COUNCIL),
    PlanStatus.APPROVED_BY_CITY_COUNCIL: ("fund", PlanStatus.APPROVED_BY_LBF),
}


@pytest.mark.parametrize("status", list(PlanStatus))
async def test_each_actor_decides_only_the_moves_the_domain_gives_it(status):
    w = await build_world(plan_status=status)
    for kind in ACTOR_KINDS:
        expected = DECIDES[status][1] if status in DECIDES and DECIDES[status][0] == kind else None
        assert policy.plan_decision_for(w.actor(kind), w.plan_id, status) == expected, (kind, status)
        # never for a plan outside the actor's scope
        if kind == "municipality":
            assert policy.plan_decision_for(w.actor(kind), 10**9, status) is None


async def test_city_council_approval_records_its_date_and_note_in_the_audit_trail():
    w = await build_world(plan_status=PlanStatus.IN_DIALOGUE)
    decided = date.today() - timedelta(days=9)
    await call(
        plans.change_plan_status,
        actor=w.actor("municipality"),
        plan_id=w.plan_id,
        status=PlanStatus.APPROVED_BY_CITY_COUNCIL,
        decision_date=decided,
        note="Vedtaget på mødet",
    )
    assert (await fetch(Plan, w.plan_id)).status == PlanStatus.APPROVED_BY_CITY_COUNCIL
    (decision,) = await _rows(Decision, Decision.plan_id == w.plan_id)
    assert (decision.outcome, decision.decided_on, decision.note) == (
        DecisionOutcome.APPROVED,
        decided,
        "Vedtaget på mødet",
    )
    assert (decision.from_status, decision.to_status) == (PlanStatus.IN_DIALOGUE, PlanStatus.APPROVED_BY_CITY_COUNCIL)
    (event,) = await _rows(AuditEvent, AuditEvent.plan_id == w.plan_id, AuditEvent.action == "plan.statusChange")
    assert event.after["decision"]["decided_on"] == decided.isoformat()
    assert event.after["decision"]["note"] == "Vedtaget på mødet"
    assert event.before["status"] == "IN_DIALOGUE" and event.after["status"] == "APPROVED_BY_CITY_COUNCIL"


async def test_a_decision_date_in_the_future_is_refused_and_nothing_changes():
    w = await build_world(plan_status=PlanStatus.IN_DIALOGUE)
    with pytest.raises(ValidationFailed) as exc:
        await call(
            plans.change_plan_status,
            actor=w.actor("municipality"),
            plan_id=w.plan_id,
            status=PlanStatus.APPROVED_BY_CITY_COUNCIL,
            decision_date=date.today() + timedelta(days=2),
        )
    assert codes(exc.value) == {"OUT_OF_RANGE"}
    assert (await fetch(Plan, w.plan_id)).status == PlanStatus.IN_DIALOGUE
    assert await _rows(Decision, Decision.plan_id == w.plan_id) == []


async def test_send_back_keeps_the_status_needs_a_note_and_is_audited():
    w = await build_world(plan_status=PlanStatus.IN_DIALOGUE)
    with pytest.raises(ValidationFailed) as exc:
        await call(
            plans.send_back_plan, actor=w.actor("municipality"), plan_id=w.plan_id, decision_date=None, note="  "
        )
    assert codes(exc.value) == {"REQUIRED"}
    await call(
        plans.send_back_plan,
        actor=w.actor("municipality"),
        plan_id=w.plan_id,
        decision_date=date(2026, 1, 15),
        note="Budgettet for 2027 mangler",
    )
    assert (await fetch(Plan, w.plan_id)).status == PlanStatus.IN_DIALOGUE
    (decision,) = await _rows(Decision, Decision.plan_id == w.plan_id)
    assert decision.outcome == DecisionOutcome.SENT_BACK and decision.to_status == PlanStatus.APPROVED_BY_CITY_COUNCIL
    (event,) = await _rows(AuditEvent, AuditEvent.plan_id == w.plan_id, AuditEvent.action == "plan.sendBack")
    assert event.after["note"] == "Budgettet for 2027 mangler" and event.object_type == "Decision"


@pytest.mark.parametrize("kind", ["housing", "fund", "anonymous", "other_housing", "partner"])
async def test_others_cannot_send_back_the_city_councils_step(kind):
    w = await build_world(plan_status=PlanStatus.IN_DIALOGUE)
    with pytest.raises((NotFound, ValidationFailed)):
        await call(plans.send_back_plan, actor=w.actor(kind), plan_id=w.plan_id, decision_date=None, note="Nej")
    assert await _rows(Decision, Decision.plan_id == w.plan_id) == []


async def test_a_version_sent_back_cannot_be_approved_but_the_next_version_can():
    w = await build_world()
    first = await call(
        plans.create_agreement_version,
        actor=w.actor("housing"),
        plan_id=w.plan_id,
        kind=AgreementKind.STRATEGIC,
        title="Strategisk aftale",
    )
    # the strategic agreement is Landsbyggefonden's: the municipality may neither approve nor send it back
    with pytest.raises(NotFound):
        await call(
            plans.send_back_agreement,
            actor=w.actor("municipality"),
            agreement_id=first.id,
            decision_date=None,
            note="Nej",
        )
    await call(
        plans.send_back_agreement,
        actor=w.actor("fund"),
        agreement_id=first.id,
        decision_date=date.today(),
        note="Målene skal kunne måles",
    )
    with pytest.raises(ValidationFailed) as exc:
        await call(plans.approve_agreement, actor=w.actor("fund"), agreement_id=first.id)
    assert codes(exc.value) == {"SENT_BACK"}
    assert (await fetch(Agreement, first.id)).approved_at is None
    second = await call(
        plans.create_agreement_version,
        actor=w.actor("housing"),
        plan_id=w.plan_id,
        kind=AgreementKind.STRATEGIC,
        title="Strategisk aftale, rettet",
    )
    await call(
        plans.approve_agreement,
        actor=w.actor("fund"),
        agreement_id=second.id,
        decision_date=date.today(),
        note="Godkendt",
    )
    assert (await fetch(Agreement, second.id)).approved_at is not None
    decisions = await _rows(Decision, Decision.plan_id == w.plan_id)
    assert [(d.agreement_id, d.outcome) for d in decisions] == [
        (first.id, DecisionOutcome.SENT_BACK),
        (second.id, DecisionOutcome.APPROVED),
    ]
    (event,) = await _rows(AuditEvent, AuditEvent.object_id == second.id, AuditEvent.action == "agreement.approve")
    assert event.after["decision"]["note"] == "Godkendt"
