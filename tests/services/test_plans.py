"""Plan services: status moves by the right party, agreements, goals and indicators, financing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from backend.models import (
    Agreement,
    AgreementKind,
    AuditEvent,
    FinancingParty,
    Goal,
    Indicator,
    Measurement,
    Plan,
    PlanOrganisation,
    PlanStatus,
)
from backend.models import Financing as FinancingRow
from backend.services import NotFound, ValidationFailed, plans
from tests.services.world import ACTOR_KINDS, build_world, call, fetch, scalar


@pytest.fixture
async def world():
    return await build_world(plan_status=PlanStatus.PREQUALIFIED)


def codes(exc) -> set[str]:
    return {e.code for e in exc.errors}


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_create_plan_only_by_housing_staff(world, kind):
    kw = dict(
        actor=world.actor(kind),
        name=f"Ny plan {world.tag} {kind}",
        start_date=date(2026, 1, 1),
        end_date=date(2029, 12, 31),
        generation_id=world.generation_id,
        urban_area_id=world.urban_area_id,
        estate_ids=[world.estate_id],
    )
    if kind in ("housing", "other_housing"):
        plan = await call(plans.create_plan, **kw)
        stored = await fetch(Plan, plan.id)
        assert stored.status == PlanStatus.PREQUALIFIED
        assert stored.lead_organisation_id == world.actor(kind).housing_organisation_id
        orgs = await scalar(
            select(func.count()).select_from(PlanOrganisation).where(PlanOrganisation.plan_id == plan.id)
        )
        assert orgs == 1
    else:
        with pytest.raises(NotFound):
            await call(plans.create_plan, **kw)
        assert await scalar(select(func.count()).select_from(Plan).where(Plan.name == kw["name"])) == 0


async def test_create_plan_bad_input(world):
    with pytest.raises(ValidationFailed) as exc:
        await call(
            plans.create_plan,
            actor=world.actor("housing"),
            name="",
            start_date=date(2026, 1, 1),
            end_date=date(2025, 1, 1),
            generation_id=10**9,
            urban_area_id=world.urban_area_id,
        )
    assert {(e.field, e.code) for e in exc.value.errors} == {
        ("name", "REQUIRED"),
        ("endDate", "PERIOD_INVALID"),
        ("generationId", "NOT_FOUND"),
    }


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_update_plan_only_by_its_housing_staff(world, kind):
    if kind == "housing":
        await call(plans.update_plan, actor=world.actor(kind), plan_id=world.plan_id, summary="Nyt resumé")
        assert (await fetch(Plan, world.plan_id)).summary == "Nyt resumé"
    else:
        with pytest.raises(NotFound):
            await call(plans.update_plan, actor=world.actor(kind), plan_id=world.plan_id, summary="Nyt resumé")
        assert (await fetch(Plan, world.plan_id)).summary is None


async def test_status_moves_each_by_its_party(world):
    since = await scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))
    steps = [
        (PlanStatus.IN_DIALOGUE, "housing"),
        (PlanStatus.APPROVED_BY_CITY_COUNCIL, "municipality"),
        (PlanStatus.APPROVED_BY_LBF, "fund"),
        (PlanStatus.ACTIVE, "housing"),
        (PlanStatus.ENDED, "housing"),
    ]
    parties = ("housing", "municipality", "fund")
    for status, who in steps:
        for other in parties:
            if other == who or (status == PlanStatus.IN_DIALOGUE and other == "municipality"):
                continue
            with pytest.raises(ValidationFailed) as exc:
                await call(plans.change_plan_status, actor=world.actor(other), plan_id=world.plan_id, status=status)
            assert codes(exc.value) == {"FORBIDDEN_TRANSITION"}, (status, other)
        for outsider in ("anonymous", "resident", "partner", "other_housing"):
            with pytest.raises(NotFound):
                await call(plans.change_plan_status, actor=world.actor(outsider), plan_id=world.plan_id, status=status)
        await call(plans.change_plan_status, actor=world.actor(who), plan_id=world.plan_id, status=status)
        assert (await fetch(Plan, world.plan_id)).status == status
    moves = await scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "plan.statusChange", AuditEvent.plan_id == world.plan_id, AuditEvent.id > since)
    )
    assert moves == 5


async def test_status_cannot_skip_or_go_back(world):
    with pytest.raises(ValidationFailed) as exc:
        await call(
            plans.change_plan_status, actor=world.actor("housing"), plan_id=world.plan_id, status=PlanStatus.ACTIVE
        )
    assert codes(exc.value) == {"INVALID_TRANSITION"}
    assert (await fetch(Plan, world.plan_id)).status == PlanStatus.PREQUALIFIED


async def test_agreement_versions_and_approval(world):
    staff = world.actor("housing")
    v1 = await call(
        plans.create_agreement_version,
        actor=staff,
        plan_id=world.plan_id,
        kind=AgreementKind.STRATEGIC,
        title="Strategisk samarbejdsaftale",
    )
    assert v1.version == 2  # the world's plan has an approved version 1
    for kind in ("housing", "municipality", "resident", "partner"):
        with pytest.raises(NotFound):
            await call(plans.approve_agreement, actor=world.actor(kind), agreement_id=v1.id)
    approved = await call(plans.approve_agreement, actor=world.actor("fund"), agreement_id=v1.id)
    assert approved.approved_at is not None
    with pytest.raises(ValidationFailed) as exc:
        await call(plans.approve_agreement, actor=world.actor("fund"), agreement_id=v1.id)
    assert codes(exc.value) == {"ALREADY_APPROVED"}
    v2 = await call(
        plans.create_agreement_version,
        actor=staff,
        plan_id=world.plan_id,
        kind=AgreementKind.STRATEGIC,
        title="Strategisk samarbejdsaftale, rev.",
        body="Ændret",
    )
    assert v2.version == 3 and v2.id != v1.id
    stored_v1 = await fetch(Agreement, v1.id)
    assert stored_v1.title == "Strategisk samarbejdsaftale" and stored_v1.approved_at is not None
    with pytest.raises(ValidationFailed) as exc:
        await call(plans.approve_agreement, actor=world.actor("fund"), agreement_id=v1.id)
    assert codes(exc.value) == {"ALREADY_APPROVED"}
    sub = await call(
        plans.create_agreement_version,
        actor=staff,
        plan_id=world.plan_id,
        kind=AgreementKind.SUB_AGREEMENT,
        title="Delaftale",
        focus_area_id=world.focus_area_id,
    )
    with pytest.raises(NotFound):
        await call(plans.approve_agreement, actor=world.actor("fund"), agreement_id=sub.id)
    await call(plans.approve_agreement, actor=world.actor("municipality"), agreement_id=sub.id)
    with pytest.raises(ValidationFailed) as exc:
        await call(
            plans.create_agreement_version,
            actor=staff,
            plan_id=world.plan_id,
            kind=AgreementKind.SUB_AGREEMENT,
            title="Delaftale",
        )
    assert codes(exc.value) == {"REQUIRED"}
    for kind in ("other_housing", "partner", "municipality", "fund", "anonymous"):
        with pytest.raises(NotFound):
            await call(
                plans.create_agreement_version,
                actor=world.actor(kind),
                plan_id=world.plan_id,
                kind=AgreementKind.STRATEGIC,
                title="Forsøg",
            )


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_goals_indicators_measurements_only_by_housing_staff(world, kind):
    actor = world.actor(kind)
    if kind == "housing":
        goal = await call(plans.create_goal, actor=actor, plan_id=world.plan_id, title="Mere tryghed")
        ind = await call(
            plans.create_indicator,
            actor=actor,
            goal_id=goal.id,
            name="Tryghedsindeks",
            unit="point",
            baseline=60,
            target=70,
        )
        m = await call(plans.record_measurement, actor=actor, indicator_id=ind.id, period=date(2025, 12, 31), value=64)
        again = await call(
            plans.record_measurement, actor=actor, indicator_id=ind.id, period=date(2025, 12, 31), value=65
        )
        assert again.id == m.id and (await fetch(Measurement, m.id)).value == 65
    else:
        with pytest.raises(NotFound):
            await call(plans.create_goal, actor=actor, plan_id=world.plan_id, title="Mere tryghed")
        with pytest.raises(NotFound):
            await call(plans.create_indicator, actor=actor, goal_id=world.goal_id, name="x", unit="y")
        with pytest.raises(NotFound):
            await call(
                plans.record_measurement,
                actor=actor,
                indicator_id=world.indicator_id,
                period=date(2025, 12, 31),
                value=1,
            )
        assert await scalar(select(func.count()).select_from(Goal).where(Goal.plan_id == world.plan_id)) == 1
        assert await scalar(select(func.count()).select_from(Indicator).where(Indicator.goal_id == world.goal_id)) == 1
        assert (
            await scalar(
                select(func.count()).select_from(Measurement).where(Measurement.indicator_id == world.indicator_id)
            )
            == 0
        )


LINES = [
    (FinancingParty.LANDSBYGGEFONDEN, "75", "3000000", "100"),
    (FinancingParty.MUNICIPALITY, "12.5", "500000", "0"),
    (FinancingParty.HOUSING_ORGANISATION, "12.5", "500000", "0"),
]


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_financing_only_by_housing_staff(world, kind):
    actor = world.actor(kind)
    if kind == "housing":
        rows = await call(plans.set_financing, actor=actor, plan_id=world.plan_id, year=2025, lines=LINES)
        assert sum(r.share_percent for r in rows) == Decimal("100")
        rows = await call(
            plans.set_financing,
            actor=actor,
            plan_id=world.plan_id,
            year=2025,
            lines=LINES[:1] + [(FinancingParty.MUNICIPALITY, "25", "1000000", "0")],
        )
        assert (
            await scalar(
                select(func.count())
                .select_from(FinancingRow)
                .where(FinancingRow.plan_id == world.plan_id, FinancingRow.year == 2025)
            )
            == 2
        )
    else:
        with pytest.raises(NotFound):
            await call(plans.set_financing, actor=actor, plan_id=world.plan_id, year=2025, lines=LINES)
        assert (
            await scalar(
                select(func.count())
                .select_from(FinancingRow)
                .where(FinancingRow.plan_id == world.plan_id, FinancingRow.year == 2025)
            )
            == 0
        )


@pytest.mark.parametrize(
    "lines,code",
    [
        (
            [(FinancingParty.LANDSBYGGEFONDEN, "80", "1", "0"), (FinancingParty.MUNICIPALITY, "20", "1", "0")],
            "FINANCING_INVALID",
        ),
        (
            [(FinancingParty.LANDSBYGGEFONDEN, "75", "1", "0"), (FinancingParty.MUNICIPALITY, "12.5", "1", "0")],
            "FINANCING_INVALID",
        ),
        (
            [(FinancingParty.LANDSBYGGEFONDEN, "75", "-1", "0"), (FinancingParty.MUNICIPALITY, "25", "1", "0")],
            "OUT_OF_RANGE",
        ),
        (
            [(FinancingParty.LANDSBYGGEFONDEN, "75", "1.001", "0"), (FinancingParty.MUNICIPALITY, "25", "1", "0")],
            "INVALID",
        ),
        (
            [(FinancingParty.LANDSBYGGEFONDEN, "75", "abc", "0"), (FinancingParty.MUNICIPALITY, "25", "1", "0")],
            "INVALID",
        ),
        ([], "REQUIRED"),
    ],
)
async def test_financing_rules(world, lines, code):
    await call(plans.set_financing, actor=world.actor("housing"), plan_id=world.plan_id, year=2026, lines=LINES)
    with pytest.raises(ValidationFailed) as exc:
        await call(plans.set_financing, actor=world.actor("housing"), plan_id=world.plan_id, year=2026, lines=lines)
    assert code in codes(exc.value)
    # the earlier lines are untouched
    assert (
        await scalar(
            select(func.count())
            .select_from(FinancingRow)
            .where(FinancingRow.plan_id == world.plan_id, FinancingRow.year == 2026)
        )
        == 3
    )


async def test_financing_year_within_the_plan(world):
    with pytest.raises(ValidationFailed) as exc:
        await call(plans.set_financing, actor=world.actor("housing"), plan_id=world.plan_id, year=2031, lines=LINES)
    assert codes(exc.value) == {"OUT_OF_RANGE"}
