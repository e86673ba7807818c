"""Every date, time and number a service stores is bounded (backend/bounds.py) with a clear error;
an occurrence entered wrongly can be removed (audited)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from backend.db import new_session
from backend.models import AuditEvent, Occurrence
from backend.services import NotFound, ValidationFailed, activities, groups, plans
from tests.services.world import build_world, call, fetch

UTC = UTC
START = datetime(2026, 11, 30, 9, 46, 52, tzinfo=UTC)  # the world's plans run 2024-2027


@pytest.fixture
async def world():
    return await build_world()


async def refused(fn, **kw) -> list[tuple[str | None, str]]:
    with pytest.raises(ValidationFailed) as exc:
        await call(fn, **kw)
    return [(e.field, e.code) for e in exc.value.errors]


@pytest.mark.parametrize(
    "ends_at",
    [
        datetime(9999, 12, 31, 23, 0, tzinfo=UTC),  # the reproduction
        datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),  # has no UTC time at all
        datetime(2029, 1, 2, tzinfo=UTC),  # more than a year after the plan's end (2027-12-31)
    ],
)
async def test_an_occurrence_lies_within_the_plan_period_plus_a_year(world, ends_at):
    for kind in ("partner", "housing"):
        errors = await refused(
            activities.add_occurrence,
            actor=world.actor(kind),
            activity_id=world.activity_id,
            starts_at=START,
            ends_at=ends_at,
        )
        assert errors == [("endsAt", "OUT_OF_RANGE")]
    errors = await refused(
        activities.move_occurrence,
        actor=world.actor("partner"),
        occurrence_id=world.future_occurrence_id,
        starts_at=datetime(2022, 12, 30, tzinfo=UTC),
        ends_at=ends_at,
    )
    assert errors == [("startsAt", "OUT_OF_RANGE"), ("endsAt", "OUT_OF_RANGE")]
    ok = await call(
        activities.add_occurrence,
        actor=world.actor("partner"),
        activity_id=world.activity_id,
        starts_at=datetime(2028, 12, 31, 10, tzinfo=UTC),
        ends_at=datetime(2028, 12, 31, 12, tzinfo=UTC),
    )
    assert ok.id


async def test_other_dates_and_numbers_are_bounded(world):
    housing = world.actor("housing")
    assert await refused(
        groups.create_meeting, actor=housing, group_id=world.group_id, starts_at=datetime(2101, 1, 1, tzinfo=UTC)
    ) == [("startsAt", "OUT_OF_RANGE")]
    assert await refused(
        plans.record_measurement, actor=housing, indicator_id=world.indicator_id, period=date(2101, 1, 1), value=1.0
    ) == [("period", "OUT_OF_RANGE")]
    assert await refused(
        plans.record_measurement,
        actor=housing,
        indicator_id=world.indicator_id,
        period=date(2025, 1, 1),
        value=float("inf"),
    ) == [("value", "OUT_OF_RANGE")]
    assert await refused(
        plans.create_indicator,
        actor=housing,
        goal_id=world.goal_id,
        name="x",
        unit="%",
        baseline=float("nan"),
        target=-1e13,
    ) == [("baseline", "OUT_OF_RANGE"), ("target", "OUT_OF_RANGE")]
    assert await refused(plans.update_plan, actor=housing, plan_id=world.plan_id, end_date=date(9999, 12, 31)) == [
        ("endDate", "OUT_OF_RANGE")
    ]
    assert await refused(
        plans.create_plan,
        actor=housing,
        name="Ny",
        start_date=date(1999, 1, 1),
        end_date=date(2101, 1, 1),
        generation_id=world.generation_id,
        urban_area_id=world.urban_area_id,
    ) == [("startDate", "OUT_OF_RANGE"), ("endDate", "OUT_OF_RANGE")]
    assert await refused(plans.add_milestone, actor=housing, plan_id=world.plan_id, year=2030, title="For sent") == [
        ("year", "OUT_OF_RANGE")
    ]


async def test_a_wrong_occurrence_is_removed_by_the_partner_and_audited(world):
    occ = await call(
        activities.add_occurrence,
        actor=world.actor("partner"),
        activity_id=world.activity_id,
        starts_at=START,
        ends_at=START + timedelta(hours=1),
    )
    for kind in ("other_partner", "other_housing", "resident", "anonymous"):
        with pytest.raises(NotFound):
            await call(activities.delete_occurrence, actor=world.actor(kind), occurrence_id=occ.id)
    activity = await call(activities.delete_occurrence, actor=world.actor("partner"), occurrence_id=occ.id)
    assert activity.id == world.activity_id
    assert await fetch(Occurrence, occ.id) is None
    async with new_session() as s:
        (event,) = (
            (
                await s.execute(
                    select(AuditEvent).where(AuditEvent.action == "occurrence.delete", AuditEvent.object_id == occ.id)
                )
            )
            .scalars()
            .all()
        )
    assert event.before["starts_at"].startswith("2026-11-30") and event.plan_id == world.plan_id
    with pytest.raises(NotFound):  # gone is gone
        await call(activities.delete_occurrence, actor=world.actor("housing"), occurrence_id=occ.id)


async def test_a_counted_occurrence_is_part_of_the_report_and_stays(world):
    await call(
        activities.set_participant_count, actor=world.actor("partner"), occurrence_id=world.past_occurrence_id, count=5
    )
    assert await refused(
        activities.delete_occurrence, actor=world.actor("housing"), occurrence_id=world.past_occurrence_id
    ) == [("occurrenceId", "NOT_ALLOWED")]
