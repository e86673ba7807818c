"""ResidentInput.canEdit: the API tells an input's author whether residentInputEdit and
residentInputWithdraw would still be allowed (backend/policy.py), and tells everyone else no."""

from __future__ import annotations

from backend.models import InputStatus
from backend.services import inputs
from tests.mutations.helpers import gid, gql
from tests.services.world import build_world, call

CAN_EDIT = "query($id: ID!) { node(id: $id) { ... on ResidentInput { canEdit } } }"


async def can_edit(w, input_pk: int, kind: str):
    node = (await gql(CAN_EDIT, {"id": gid("ResidentInput", input_pk)}, actor=w.actor(kind)))["node"]
    return None if node is None else node["canEdit"]


async def test_only_the_author_may_edit_and_only_while_unanswered():
    w = await build_world()
    row = await call(inputs.submit, actor=w.actor("resident"), group_id=w.group_id, title="Titel", body="Tekst")
    assert await can_edit(w, row.id, "resident") is True
    assert await can_edit(w, row.id, "housing") is False  # staff read it, but it is not theirs
    assert await can_edit(w, row.id, "other_resident") is None  # not visible at all
    await call(inputs.answer, actor=w.actor("housing"), input_id=row.id, body="Svar")
    assert await can_edit(w, row.id, "resident") is False
    # An answer counts even when staff later move the status back.
    await call(inputs.set_status, actor=w.actor("housing"), input_id=row.id, status=InputStatus.UNDER_CONSIDERATION)
    assert await can_edit(w, row.id, "resident") is False


async def test_closed_or_withdrawn_inputs_cannot_be_edited():
    w = await build_world()
    closed = await call(inputs.submit, actor=w.actor("resident"), group_id=w.group_id, title="A", body="Lukket")
    await call(inputs.set_status, actor=w.actor("housing"), input_id=closed.id, status=InputStatus.CLOSED)
    assert await can_edit(w, closed.id, "resident") is False
    withdrawn = await call(inputs.submit, actor=w.actor("resident"), group_id=w.group_id, title="B", body="Væk")
    await call(inputs.withdraw, actor=w.actor("resident"), input_id=withdrawn.id)
    assert await can_edit(w, withdrawn.id, "resident") is False
