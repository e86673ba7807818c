"""Resident input services: who may do what, bad input, abuse care, and the audit trail."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import func, select, update
from sqlmodel import col

from backend import events
from backend.db import new_session
from backend.models import (
    AuditEvent,
    InputAnswer,
    InputChannel,
    InputReport,
    InputStatus,
    Plan,
    PlanStatus,
    ResidentInput,
)
from backend.services import NotFound, ValidationFailed, inputs
from tests.services.world import ACTOR_KINDS, build_world, call, fetch, scalar


@pytest.fixture
async def world():
    return await build_world()


async def count_inputs(group_id: int) -> int:
    return await scalar(select(func.count()).select_from(ResidentInput).where(col(ResidentInput.group_id) == group_id))


def codes(exc: ValidationFailed) -> set[str]:
    return {e.code for e in exc.errors}


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_submit_only_a_resident_of_the_group(world, kind):
    actor = world.actor(kind)
    if kind == "resident":
        row = await call(inputs.submit, actor=actor, group_id=world.group_id, title="Bænke", body="Flere bænke, tak.")
        stored = await fetch(ResidentInput, row.id)
        assert stored.author_account_id == actor.account_id and stored.status == InputStatus.RECEIVED
        assert stored.channel == InputChannel.WEB
        event = await scalar(
            select(AuditEvent)
            .where(col(AuditEvent.action) == "residentInput.submit", col(AuditEvent.object_id) == row.id)
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        )
        assert event.actor_account_id == actor.account_id and event.plan_id == world.plan_id
        assert event.after["body"] == "[personal]" and event.after["title"] == "[personal]"
    else:
        with pytest.raises(NotFound) as exc:
            await call(inputs.submit, actor=actor, group_id=world.group_id, title="Bænke", body="Flere bænke.")
        assert exc.value.errors[0].code == "NOT_FOUND" and exc.value.errors[0].field == "groupId"
        assert await count_inputs(world.group_id) == 0


async def test_unknown_group_looks_like_forbidden_group(world):
    resident = world.actor("resident")
    with pytest.raises(NotFound) as unknown:
        await call(inputs.submit, actor=resident, group_id=10**9, title="x", body="y")
    with pytest.raises(NotFound) as forbidden:
        await call(inputs.submit, actor=resident, group_id=world.other_group_id, title="x", body="y")
    assert unknown.value.errors == forbidden.value.errors


async def test_no_input_to_a_group_of_a_plan_the_resident_cannot_see(world):
    resident = world.actor("resident")
    async with new_session() as session:
        await session.execute(update(Plan).where(col(Plan.id) == world.plan_id).values(status=PlanStatus.PREQUALIFIED))
        await session.commit()
    with pytest.raises(NotFound) as exc:
        await call(inputs.submit, actor=resident, group_id=world.group_id, title="Bænke", body="Flere bænke.")
    assert exc.value.errors[0].field == "groupId"
    assert await count_inputs(world.group_id) == 0


@pytest.mark.parametrize(
    "title,body,code,field",
    [
        ("", "tekst", "REQUIRED", "title"),
        ("Titel", "   \n ", "REQUIRED", "body"),
        ("Titel", "x" * 5001, "TOO_LONG", "body"),
        ("T" * 201, "tekst", "TOO_LONG", "title"),
        ("Titel", "nul\x00byte", "INVALID_TEXT", "body"),
        ("To\nlinjer", "tekst", "INVALID_TEXT", "title"),
    ],
)
async def test_bad_texts_are_refused_and_nothing_is_stored(world, title, body, code, field):
    with pytest.raises(ValidationFailed) as exc:
        await call(inputs.submit, actor=world.actor("resident"), group_id=world.group_id, title=title, body=body)
    assert (field, code) in {(e.field, e.code) for e in exc.value.errors}
    assert all(e.message_da and e.message_en for e in exc.value.errors)
    assert await count_inputs(world.group_id) == 0


async def test_arabic_and_markup_are_stored_as_given(world):
    arabic = "نريد ملعبًا جديدًا للأطفال بالقرب من المدرسة"
    row = await call(
        inputs.submit, actor=world.actor("resident"), group_id=world.group_id, title="ملعب", body=arabic, language="ar"
    )
    markup = '<script>alert("x")</script><b>fed</b> & "citat"'
    row2 = await call(
        inputs.submit, actor=world.actor("resident"), group_id=world.group_id, title="<i>HTML</i>", body=markup
    )
    assert (await fetch(ResidentInput, row.id)).body == arabic
    assert (await fetch(ResidentInput, row.id)).language == "ar"
    assert (await fetch(ResidentInput, row2.id)).body == markup
    assert (await fetch(ResidentInput, row2.id)).title == "<i>HTML</i>"


async def test_bad_language_code(world):
    with pytest.raises(ValidationFailed) as exc:
        await call(
            inputs.submit,
            actor=world.actor("resident"),
            group_id=world.group_id,
            title="t",
            body="b",
            language="klingon!",
        )
    assert codes(exc.value) == {"INVALID"}


async def test_concerns_must_be_of_the_plan(world):
    row = await call(
        inputs.submit,
        actor=world.actor("resident"),
        group_id=world.group_id,
        title="a",
        body="b",
        concerns=("Activity", world.activity_id),
    )
    assert (await fetch(ResidentInput, row.id)).concerns_activity_id == world.activity_id
    row = await call(
        inputs.submit,
        actor=world.actor("resident"),
        group_id=world.group_id,
        title="a",
        body="c",
        concerns=("FocusArea", world.focus_area_id),
    )
    assert (await fetch(ResidentInput, row.id)).concerns_focus_area_id == world.focus_area_id
    with pytest.raises(ValidationFailed) as exc:
        await call(
            inputs.submit,
            actor=world.actor("resident"),
            group_id=world.group_id,
            title="a",
            body="d",
            concerns=("FocusArea", world.other_generation_focus_area_id),
        )
    assert [(e.field, e.code) for e in exc.value.errors] == [("concernsId", "NOT_FOUND")]


async def test_same_submission_twice_is_a_duplicate(world):
    kw = dict(actor=world.actor("resident"), group_id=world.group_id, title="Samme", body="Samme tekst")
    await call(inputs.submit, **kw)
    with pytest.raises(ValidationFailed) as exc:
        await call(inputs.submit, **kw)
    assert codes(exc.value) == {"DUPLICATE"}
    assert await count_inputs(world.group_id) == 1


async def test_same_submission_twice_concurrently_stores_one(world):
    kw = dict(actor=world.actor("resident"), group_id=world.group_id, title="Samtidig", body="Samtidig tekst")
    results = await asyncio.gather(call(inputs.submit, **kw), call(inputs.submit, **kw), return_exceptions=True)
    stored = [r for r in results if isinstance(r, ResidentInput)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(stored) == 1 and len(refused) == 1, results
    assert codes(refused[0]) == {"DUPLICATE"}
    assert await count_inputs(world.group_id) == 1


async def test_rate_limit_per_resident(world):
    actor = world.actor("resident")
    for i in range(inputs.RATE_LIMIT_COUNT):
        await call(inputs.submit, actor=actor, group_id=world.group_id, title=f"Nr. {i}", body=f"Tekst {i}")
    with pytest.raises(ValidationFailed) as exc:
        await call(inputs.submit, actor=actor, group_id=world.group_id, title="En til", body="En til")
    assert codes(exc.value) == {"RATE_LIMITED"}
    assert await count_inputs(world.group_id) == inputs.RATE_LIMIT_COUNT


async def submitted(world, body="Tekst"):
    return await call(inputs.submit, actor=world.actor("resident"), group_id=world.group_id, title="Titel", body=body)


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_edit_and_withdraw_only_by_the_author(world, kind):
    row = await submitted(world)
    actor = world.actor(kind)
    if kind == "resident":
        edited = await call(inputs.edit, actor=actor, input_id=row.id, body="Ny tekst")
        assert edited.body == "Ny tekst" and edited.title == "Titel"
        await call(inputs.withdraw, actor=actor, input_id=row.id)
        stored = await fetch(ResidentInput, row.id)
        assert stored.withdrawn and stored.status == InputStatus.CLOSED
    else:
        with pytest.raises(NotFound):
            await call(inputs.edit, actor=actor, input_id=row.id, body="Ny tekst")
        with pytest.raises(NotFound):
            await call(inputs.withdraw, actor=actor, input_id=row.id)
        stored = await fetch(ResidentInput, row.id)
        assert stored.body == "Tekst" and not stored.withdrawn


STAFF_OF_PLAN = {"housing", "municipality"}


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_answer_set_status_publish_hide_by_staff_of_the_plan(world, kind):
    row = await submitted(world)
    actor = world.actor(kind)
    if kind in STAFF_OF_PLAN:
        await call(inputs.set_status, actor=actor, input_id=row.id, status=InputStatus.UNDER_CONSIDERATION)
        item, reply = await call(inputs.answer, actor=actor, input_id=row.id, body="Tak, vi ser på det.")
        assert item.status == InputStatus.ANSWERED and reply.author_kind == actor.kind
        await call(inputs.publish, actor=actor, input_id=row.id)
        assert (await fetch(ResidentInput, row.id)).published
        await call(inputs.hide, actor=actor, input_id=row.id, reason="Krænkende indhold")
        stored = await fetch(ResidentInput, row.id)
        assert stored.hidden and not stored.published and stored.hidden_reason == "Krænkende indhold"
        event = await scalar(
            select(AuditEvent)
            .where(col(AuditEvent.action) == "residentInput.hide", col(AuditEvent.object_id) == row.id)
            .order_by(col(AuditEvent.id).desc())
            .limit(1)
        )
        assert event.reason == "Krænkende indhold"
    else:
        for fn, kw in (
            (inputs.set_status, {"status": InputStatus.CLOSED}),
            (inputs.answer, {"body": "Svar"}),
            (inputs.publish, {}),
            (inputs.hide, {"reason": "r"}),
        ):
            with pytest.raises(NotFound):
                await call(fn, actor=actor, input_id=row.id, **kw)
        stored = await fetch(ResidentInput, row.id)
        assert stored.status == InputStatus.RECEIVED and not stored.published and not stored.hidden
        assert (
            await scalar(select(func.count()).select_from(InputAnswer).where(col(InputAnswer.input_id) == row.id)) == 0
        )


async def test_answered_input_cannot_be_edited_and_publish_needs_an_answer(world):
    row = await submitted(world)
    staff = world.actor("housing")
    with pytest.raises(ValidationFailed) as exc:
        await call(inputs.publish, actor=staff, input_id=row.id)
    assert codes(exc.value) == {"NOT_ANSWERED"}
    await call(inputs.answer, actor=staff, input_id=row.id, body="Svar")
    with pytest.raises(ValidationFailed) as exc:
        await call(inputs.edit, actor=world.actor("resident"), input_id=row.id, body="Ændret")
    assert codes(exc.value) == {"ALREADY_ANSWERED"}
    with pytest.raises(ValidationFailed) as exc:
        await call(inputs.withdraw, actor=world.actor("resident"), input_id=row.id)
    assert codes(exc.value) == {"ALREADY_ANSWERED"}
    with pytest.raises(ValidationFailed) as exc:
        await call(inputs.answer, actor=staff, input_id=row.id, body="")
    assert codes(exc.value) == {"REQUIRED"}


async def test_withdrawn_input_can_be_sent_again(world):
    row = await submitted(world, body="Igen")
    await call(inputs.withdraw, actor=world.actor("resident"), input_id=row.id)
    again = await submitted(world, body="Igen")
    assert again.id != row.id


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_register_on_behalf_by_staff_of_the_plan(world, kind):
    actor = world.actor(kind)
    kw = dict(
        actor=actor,
        group_id=world.group_id,
        title="Fra telefon",
        body="Ringede ind om støj",
        channel=InputChannel.PHONE,
    )
    if kind in STAFF_OF_PLAN:
        row = await call(inputs.register, **kw)
        stored = await fetch(ResidentInput, row.id)
        assert stored.channel == InputChannel.PHONE and stored.author_account_id is None
    else:
        with pytest.raises(NotFound):
            await call(inputs.register, **kw)
        assert await count_inputs(world.group_id) == 0


async def test_register_refuses_the_web_channel(world):
    with pytest.raises(ValidationFailed) as exc:
        await call(
            inputs.register,
            actor=world.actor("housing"),
            group_id=world.group_id,
            title="t",
            body="b",
            channel=InputChannel.WEB,
        )
    assert codes(exc.value) == {"INVALID"}


@pytest.mark.parametrize("kind", ACTOR_KINDS)
async def test_report_by_anyone_signed_in_who_can_see_it(world, kind):
    row = await submitted(world)
    await call(inputs.answer, actor=world.actor("housing"), input_id=row.id, body="Svar")
    actor = world.actor(kind)
    # Before publishing: only the author and the plan's staff see it.
    can_see = kind in {"resident"} | STAFF_OF_PLAN
    if can_see:
        await call(inputs.report, actor=actor, input_id=row.id, reason="Spam")
        with pytest.raises(ValidationFailed):
            await call(inputs.report, actor=actor, input_id=row.id, reason="Spam")
    else:
        with pytest.raises(NotFound):
            await call(inputs.report, actor=actor, input_id=row.id, reason="Spam")
    await call(inputs.publish, actor=world.actor("housing"), input_id=row.id)
    if not can_see and kind != "anonymous":
        await call(inputs.report, actor=actor, input_id=row.id, reason="Spam")
    expected = 0 if kind == "anonymous" else 1
    assert (
        await scalar(select(func.count()).select_from(InputReport).where(col(InputReport.input_id) == row.id))
        == expected
    )


async def test_submit_and_answer_publish_live_events_only_when_committed(world):
    """On both databases: subscribers receive a committed submit's and answer's events, in commit order,
    and nothing of an answer whose transaction rolled back."""
    stream = events.subscribe([events.RESIDENT_INPUT_RECEIVED, events.RESIDENT_INPUT_ANSWERED])
    pending = asyncio.create_task(anext(stream))
    await asyncio.sleep(0)  # let the subscription register its queue and start the listener
    await events._broker.start()  # returns once the listener is listening
    staff = world.actor("housing")
    try:
        row = await submitted(world, body="Live")
        async with new_session() as s:
            await inputs.answer(session=s, actor=staff, input_id=row.id, body="Fortrudt svar")
            await s.rollback()
        # Events arrive in commit order: an event of the rolled-back answer would come before this one.
        marker = await submitted(world, body="Efter det fortrudte svar")
        await call(inputs.answer, actor=staff, input_id=row.id, body="Svar")
        seen = []
        while True:
            try:
                event = await asyncio.wait_for(pending, 15)
            except TimeoutError:
                pytest.fail(f"no further event within 15 s; received: {seen}")
            if event.get("input_id") in (row.id, marker.id):  # events of other tests are skipped
                seen.append(event)
            if len(seen) == 3:
                break
            pending = asyncio.create_task(anext(stream))
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending
        await stream.aclose()
    plan_id = world.plan_id
    assert seen == [
        {"topic": events.RESIDENT_INPUT_RECEIVED, "input_id": row.id, "group_id": world.group_id, "plan_id": plan_id},
        {
            "topic": events.RESIDENT_INPUT_RECEIVED,
            "input_id": marker.id,
            "group_id": world.group_id,
            "plan_id": plan_id,
        },
        {
            "topic": events.RESIDENT_INPUT_ANSWERED,
            "input_id": row.id,
            "author_account_id": world.actor("resident").account_id,
            "plan_id": plan_id,
        },
    ]


async def test_rate_limit_holds_for_concurrent_submissions(world):
    actor = world.actor("resident")
    for i in range(inputs.RATE_LIMIT_COUNT - 1):
        await call(inputs.submit, actor=actor, group_id=world.group_id, title=f"Nr. {i}", body=f"Tekst {i}")
    results = await asyncio.gather(
        *(
            call(inputs.submit, actor=actor, group_id=world.group_id, title=f"Samtidig {i}", body=f"Samtidig {i}")
            for i in range(3)
        ),
        return_exceptions=True,
    )
    assert sum(isinstance(r, ResidentInput) for r in results) == 1, results
    assert all(codes(r) == {"RATE_LIMITED"} for r in results if not isinstance(r, ResidentInput))
    assert await count_inputs(world.group_id) == inputs.RATE_LIMIT_COUNT
