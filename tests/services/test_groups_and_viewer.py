"""Follow-up groups, members and meetings; a resident's export and erasure of their own data."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from backend.models import (
    Account,
    FollowUpGroup,
    GroupMember,
    Meeting,
    Residency,
    ResidentInput,
    WebSession,
)
from backend.services import NotFound, ValidationFailed, groups, inputs, viewer
from tests.services.world import ACTOR_KINDS, build_world, call, fetch, scalar


@pytest.fixture
async def world():
    return await build_world()


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_groups_members_meetings_by_housing_staff(world, kind):
    actor = world.actor(kind)
    when = datetime(2026, 3, 1, 18, tzinfo=UTC)
    if kind == "housing":
        group = await call(
            groups.create_group, actor=actor, plan_id=world.plan_id, name="Ny følgegruppe", estate_ids=[world.estate_id]
        )
        member = await call(groups.add_member, actor=actor, group_id=group.id, display_name="Aisha", role="formand")
        meeting = await call(
            groups.create_meeting, actor=actor, group_id=group.id, starts_at=when, agenda="1. Velkomst"
        )
        await call(groups.update_meeting, actor=actor, meeting_id=meeting.id, minutes="Referat: godt møde")
        assert (await fetch(Meeting, meeting.id)).minutes == "Referat: godt møde"
        assert (await fetch(GroupMember, member.id)).role == "formand"
    else:
        with pytest.raises(NotFound):
            await call(groups.create_group, actor=actor, plan_id=world.plan_id, name="Ny følgegruppe")
        with pytest.raises(NotFound):
            await call(groups.add_member, actor=actor, group_id=world.group_id, display_name="X", role="Y")
        with pytest.raises(NotFound):
            await call(groups.create_meeting, actor=actor, group_id=world.group_id, starts_at=when)
        assert (
            await scalar(select(func.count()).select_from(FollowUpGroup).where(FollowUpGroup.plan_id == world.plan_id))
            == 1
        )
        assert (
            await scalar(select(func.count()).select_from(GroupMember).where(GroupMember.group_id == world.group_id))
            == 0
        )


async def test_group_estates_must_be_of_the_plan(world):
    with pytest.raises(ValidationFailed) as exc:
        await call(
            groups.create_group,
            actor=world.actor("housing"),
            plan_id=world.plan_id,
            name="X",
            estate_ids=[world.other_estate_id],
        )
    assert [(e.field, e.code) for e in exc.value.errors] == [("estateIds[0]", "NOT_FOUND")]


async def test_export_holds_the_residents_data_and_nobody_elses(world):
    resident = world.actor("resident")
    mine = await call(inputs.submit, actor=resident, group_id=world.group_id, title="Mit input", body="Min tekst")
    await call(inputs.answer, actor=world.actor("housing"), input_id=mine.id, body="Vores svar")
    await call(
        inputs.submit,
        actor=world.actor("other_resident"),
        group_id=world.other_group_id,
        title="Andet",
        body="Andens tekst",
    )
    data = await call(viewer.export_data, actor=resident)
    text = json.dumps(data)  # plain JSON
    assert data["account"]["id"] == resident.account_id
    assert [i["title"] for i in data["inputs"]] == ["Mit input"]
    assert data["inputs"][0]["answers"][0]["body"] == "Vores svar"
    assert [r["estate_id"] for r in data["residencies"]] == [world.estate_id]
    assert "Andens tekst" not in text
    with pytest.raises(NotFound):
        await call(viewer.export_data, actor=None)


async def test_erase_anonymises_inputs_and_removes_residencies_and_sessions(world):
    resident = world.actor("resident")
    row = await call(inputs.submit, actor=resident, group_id=world.group_id, title="Bliver", body="Står tilbage")
    from backend.db import new_session

    async with new_session() as s:
        s.add(
            WebSession(
                id_hash=f"h{world.tag}", account_id=resident.account_id, expires_at=datetime(2030, 1, 1, tzinfo=UTC)
            )
        )
        await s.commit()
    with pytest.raises(ValidationFailed):
        await call(viewer.erase, actor=resident, confirm=False)
    assert await fetch(Account, resident.account_id) is not None
    for kind in ("anonymous", "housing", "partner", "fund", "municipality"):
        with pytest.raises(NotFound):
            await call(viewer.erase, actor=world.actor(kind), confirm=True)
    await call(viewer.erase, actor=resident, confirm=True)
    stored = await fetch(ResidentInput, row.id)
    assert stored is not None and stored.author_account_id is None and stored.body == "Står tilbage"
    assert await fetch(Account, resident.account_id) is None
    assert (
        await scalar(select(func.count()).select_from(Residency).where(Residency.account_id == resident.account_id))
        == 0
    )
    assert (
        await scalar(select(func.count()).select_from(WebSession).where(WebSession.account_id == resident.account_id))
        == 0
    )


async def test_the_chosen_language_is_kept_on_the_account_and_exported():
    from backend.models import Account

    w = await build_world()
    resident = w.actor("resident")
    await call(viewer.set_language, actor=resident, language="ur")
    assert (await fetch(Account, resident.account_id)).language == "ur"
    data = await call(viewer.export_data, actor=resident)
    assert data["account"]["language"] == "ur"
    for bad in ("", "arabic", "<b>", "ar_SA"):
        with pytest.raises(ValidationFailed) as failure:
            await call(viewer.set_language, actor=resident, language=bad)
        assert [e.code for e in failure.value.errors] == ["INVALID"], bad
    with pytest.raises(NotFound):
        await call(viewer.set_language, actor=None, language="ar")
    assert (await fetch(Account, resident.account_id)).language == "ur"
