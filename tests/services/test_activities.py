"""Activity services: partners keep their own activities current; staff of the plan do the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from backend.models import (
    Activity,
    ActivityPartner,
    ActivityStatus,
    AuditEvent,
    Occurrence,
    PartnerRole,
    ProgressNote,
    Visibility,
)
from backend.services import NotFound, ValidationFailed, activities
from tests.services.world import ACTOR_KINDS, build_world, call, fetch, scalar

# Who may update the world's partner activity: housing staff of the plan and the partner itself.
UPDATERS = {"housing", "partner"}


@pytest.fixture
async def world():
    return await build_world()


def codes(exc) -> set[str]:
    return {e.code for e in exc.errors}


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_update_status_and_description(world, kind):
    actor = world.actor(kind)
    if kind in UPDATERS:
        row = await call(
            activities.update,
            actor=actor,
            activity_id=world.activity_id,
            status=ActivityStatus.ACTIVE,
            description="Åbent hver tirsdag",
        )
        stored = await fetch(Activity, world.activity_id)
        assert stored.status == ActivityStatus.ACTIVE and stored.description == "Åbent hver tirsdag"
        event = await scalar(
            select(AuditEvent)
            .where(AuditEvent.action == "activity.update", AuditEvent.object_id == row.id)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        assert event.before["status"] == "PLANNED" and event.after["status"] == "ACTIVE"
    else:
        with pytest.raises(NotFound):
            await call(activities.update, actor=actor, activity_id=world.activity_id, status=ActivityStatus.ACTIVE)
        assert (await fetch(Activity, world.activity_id)).status == ActivityStatus.PLANNED


async def test_partner_cannot_touch_another_partners_activity_or_staff_fields(world):
    partner = world.actor("partner")
    with pytest.raises(NotFound):
        await call(activities.update, actor=partner, activity_id=world.other_activity_id, description="x")
    with pytest.raises(ValidationFailed) as exc:
        await call(activities.update, actor=partner, activity_id=world.activity_id, title="Ny titel")
    assert codes(exc.value) == {"NOT_ALLOWED"}
    with pytest.raises(ValidationFailed) as exc:
        await call(activities.update, actor=partner, activity_id=world.activity_id, visibility=Visibility.INTERNAL)
    assert codes(exc.value) == {"NOT_ALLOWED"}
    staff = await call(
        activities.update,
        actor=world.actor("housing"),
        activity_id=world.activity_id,
        title="Ny titel",
        visibility=Visibility.INTERNAL,
        languages=["da", "ar", "so"],
    )
    assert staff.title == "Ny titel" and staff.languages == ["da", "ar", "so"]


async def test_update_refuses_bad_text(world):
    with pytest.raises(ValidationFailed) as exc:
        await call(
            activities.update, actor=world.actor("partner"), activity_id=world.activity_id, description="x" * 5001
        )
    assert codes(exc.value) == {"TOO_LONG"}
    with pytest.raises(ValidationFailed) as exc:
        await call(activities.update, actor=world.actor("housing"), activity_id=world.activity_id, title="  ")
    assert codes(exc.value) == {"REQUIRED"}


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_occurrences_add_move_cancel_count(world, kind):
    actor = world.actor(kind)
    start = datetime.now(UTC) + timedelta(days=3)
    before = await scalar(
        select(func.count()).select_from(Occurrence).where(Occurrence.activity_id == world.activity_id)
    )
    if kind in UPDATERS:
        occ = await call(
            activities.add_occurrence,
            actor=actor,
            activity_id=world.activity_id,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            location="Biblioteket",
        )
        moved = await call(
            activities.move_occurrence,
            actor=actor,
            occurrence_id=occ.id,
            starts_at=start + timedelta(days=1),
            ends_at=start + timedelta(days=1, hours=2),
        )
        assert moved.starts_at.replace(tzinfo=UTC) == (start + timedelta(days=1)).replace(tzinfo=UTC)
        await call(activities.cancel_occurrence, actor=actor, occurrence_id=occ.id)
        assert (await fetch(Occurrence, occ.id)).cancelled
        await call(activities.set_participant_count, actor=actor, occurrence_id=world.past_occurrence_id, count=14)
        assert (await fetch(Occurrence, world.past_occurrence_id)).participant_count == 14
        note = await call(
            activities.add_progress_note, actor=actor, activity_id=world.activity_id, text="God opstart, 14 børn"
        )
        stored = await fetch(ProgressNote, note.id)
        if kind == "partner":
            assert stored.author_partner_id == world.partner_id
        else:
            assert stored.author_organisation_id == world.org_id
    else:
        with pytest.raises(NotFound):
            await call(
                activities.add_occurrence,
                actor=actor,
                activity_id=world.activity_id,
                starts_at=start,
                ends_at=start + timedelta(hours=2),
            )
        for fn, kw in (
            (activities.move_occurrence, {"starts_at": start, "ends_at": start + timedelta(hours=1)}),
            (activities.cancel_occurrence, {}),
        ):
            with pytest.raises(NotFound):
                await call(fn, actor=actor, occurrence_id=world.future_occurrence_id, **kw)
        with pytest.raises(NotFound):
            await call(activities.set_participant_count, actor=actor, occurrence_id=world.past_occurrence_id, count=3)
        with pytest.raises(NotFound):
            await call(activities.add_progress_note, actor=actor, activity_id=world.activity_id, text="x")
        after = await scalar(
            select(func.count()).select_from(Occurrence).where(Occurrence.activity_id == world.activity_id)
        )
        assert after == before
        assert not (await fetch(Occurrence, world.future_occurrence_id)).cancelled
        assert (await fetch(Occurrence, world.past_occurrence_id)).participant_count is None


async def test_occurrence_bad_input(world):
    actor = world.actor("partner")
    start = datetime.now(UTC)
    with pytest.raises(ValidationFailed) as exc:
        await call(
            activities.add_occurrence,
            actor=actor,
            activity_id=world.activity_id,
            starts_at=start,
            ends_at=start - timedelta(hours=1),
        )
    assert codes(exc.value) == {"PERIOD_INVALID"}
    with pytest.raises(ValidationFailed) as exc:
        await call(activities.set_participant_count, actor=actor, occurrence_id=world.future_occurrence_id, count=5)
    assert codes(exc.value) == {"NOT_YET_HELD"}
    with pytest.raises(ValidationFailed) as exc:
        await call(activities.set_participant_count, actor=actor, occurrence_id=world.past_occurrence_id, count=-1)
    assert codes(exc.value) == {"OUT_OF_RANGE"}
    await call(activities.cancel_occurrence, actor=actor, occurrence_id=world.future_occurrence_id)
    with pytest.raises(ValidationFailed) as exc:
        await call(activities.cancel_occurrence, actor=actor, occurrence_id=world.future_occurrence_id)
    assert codes(exc.value) == {"CANCELLED"}


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_create_activity_with_partners_only_by_housing_staff(world, kind):
    actor = world.actor(kind)
    kw = dict(
        actor=actor,
        plan_id=world.plan_id,
        focus_area_id=world.focus_area_id,
        title="Bydelsmødre",
        partners=[(world.partner_id, PartnerRole.RESPONSIBLE), (world.other_partner_id, PartnerRole.CONTRIBUTING)],
    )
    if kind == "housing":
        row = await call(activities.create, **kw)
        roles = await scalar(
            select(func.count()).select_from(ActivityPartner).where(ActivityPartner.activity_id == row.id)
        )
        assert roles == 2
    else:
        with pytest.raises(NotFound):
            await call(activities.create, **kw)
        assert (
            await scalar(
                select(func.count())
                .select_from(Activity)
                .where(Activity.title == "Bydelsmødre", Activity.plan_id == world.plan_id)
            )
            == 0
        )


async def test_create_activity_checks_focus_area_generation_and_partners(world):
    with pytest.raises(ValidationFailed) as exc:
        await call(
            activities.create,
            actor=world.actor("housing"),
            plan_id=world.plan_id,
            focus_area_id=world.other_generation_focus_area_id,
            title="X",
            partners=[(10**9, PartnerRole.RESPONSIBLE)],
        )
    assert {(e.field, e.code) for e in exc.value.errors} == {
        ("focusAreaId", "FOCUS_AREA_NOT_IN_GENERATION"),
        ("partners[0].partnerId", "NOT_FOUND"),
    }
