"""No edit lost silently: versions on edited objects, CONFLICT for a change from an old version.

Two clients change the same object from the same version at the same moment: two requests, each with
its own session and connection, run concurrently. Exactly one is stored; the other is answered CONFLICT
with the current version and the role (never the person) who changed it. A change from an old version
writes nothing: the stored row and the audit log stay as they were.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlmodel import col

from backend.models import Activity, AuditEvent
from schema.api import execute
from tests.mutations.helpers import gid, gql, payload_of
from tests.services.world import build_world, fetch, scalar

CONFLICT_FIELDS = "errors { code message messageEn conflict { currentVersion changedBy changedAt } }"

ACTIVITY_UPDATE = f"""mutation($input: ActivityUpdateInput!) {{
  activityUpdate(input: $input) {{ activity {{ version description }} {CONFLICT_FIELDS} }}
}}"""


async def run(document: str, variables: dict, actor) -> dict:
    result = await execute(document, variables, actor=actor)
    assert result.errors is None, result.errors
    assert result.data is not None
    return payload_of(result.data)


async def audit_of(type_name: str, pk: int) -> int:
    return await scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(col(AuditEvent.object_type) == type_name, col(AuditEvent.object_id) == pk)
    )


async def race(document: str, inputs: list[tuple[dict, object]]) -> list[dict]:
    """Send the changes at the same moment, each as its own request (own session and connection)."""
    return list(await asyncio.gather(*(run(document, {"input": i}, actor) for i, actor in inputs)))


def one_won(payloads: list[dict], field: str, start: int, loser_sees: str) -> tuple[dict, dict]:
    """Exactly one payload stored its change (version start + 1); the other got CONFLICT naming that
    version and the winner's role. The winner and the loser."""
    won = [p for p in payloads if not p["errors"]]
    lost = [p for p in payloads if p["errors"]]
    assert len(won) == 1 and len(lost) == 1, payloads
    assert won[0][field]["version"] == start + 1
    (error,) = lost[0]["errors"]
    assert error["code"] == "CONFLICT"
    assert lost[0][field] is None
    assert error["conflict"]["currentVersion"] == start + 1
    assert error["conflict"]["changedBy"] == loser_sees
    assert error["conflict"]["changedAt"] is not None
    return won[0], lost[0]


async def test_two_edits_of_an_activity_from_the_same_version_one_wins():
    w = await build_world()
    start = (await fetch(Activity, w.activity_id)).version
    events_before = await audit_of("Activity", w.activity_id)
    activity = gid("Activity", w.activity_id)
    payloads = await race(
        ACTIVITY_UPDATE,
        [
            ({"activityId": activity, "description": "Partnerens tekst", "expectedVersion": start}, w.actor("partner")),
            (
                {"activityId": activity, "description": "Personalets tekst", "expectedVersion": start},
                w.actor("housing"),
            ),
        ],
    )
    winner_role = "PARTNER" if not payloads[0]["errors"] else "HOUSING_ORGANISATION"
    won, _lost = one_won(payloads, "activity", start, winner_role)
    stored = await fetch(Activity, w.activity_id)
    assert stored.version == start + 1
    assert stored.description == won["activity"]["description"]
    assert await audit_of("Activity", w.activity_id) == events_before + 1  # the refused change left no trace


async def test_a_change_from_an_old_version_writes_nothing():
    w = await build_world()
    activity = gid("Activity", w.activity_id)
    first = await run(ACTIVITY_UPDATE, {"input": {"activityId": activity, "description": "Ny"}}, w.actor("partner"))
    assert first["errors"] == []
    now_version = first["activity"]["version"]
    before = await fetch(Activity, w.activity_id)
    events_before = await audit_of("Activity", w.activity_id)
    stale = await run(
        ACTIVITY_UPDATE,
        {
            "input": {
                "activityId": activity,
                "description": "Gammel",
                "status": "PAUSED",
                "expectedVersion": now_version - 1,
            }
        },
        w.actor("housing"),
    )
    (error,) = stale["errors"]
    assert error["code"] == "CONFLICT"
    assert error["conflict"] == {
        "currentVersion": now_version,
        "changedBy": "PARTNER",
        "changedAt": error["conflict"]["changedAt"],
    }
    assert "en partner" in error["message"] and "a partner" in error["messageEn"]
    after = await fetch(Activity, w.activity_id)
    assert after.model_dump() == before.model_dump()
    assert await audit_of("Activity", w.activity_id) == events_before


async def test_without_an_expected_version_the_change_is_stored_and_counts_up():
    w = await build_world()
    activity = gid("Activity", w.activity_id)
    start = (await fetch(Activity, w.activity_id)).version
    payloads = await race(
        ACTIVITY_UPDATE,
        [({"activityId": activity, "description": f"Tekst {i}"}, w.actor("housing")) for i in range(4)],
    )
    assert all(p["errors"] == [] for p in payloads)
    assert sorted(p["activity"]["version"] for p in payloads) == [start + 1, start + 2, start + 3, start + 4]
    assert (await fetch(Activity, w.activity_id)).version == start + 4


async def test_each_payload_shows_its_own_write():
    """Concurrent changes: every payload shows the description its request wrote, at the version it made,
    never a later change that another request committed before the read-back."""
    w = await build_world()
    activity = gid("Activity", w.activity_id)
    payloads = await race(
        ACTIVITY_UPDATE,
        [({"activityId": activity, "description": f"Skrevet af {i}"}, w.actor("housing")) for i in range(12)],
    )
    assert [p["activity"]["description"] for p in payloads] == [f"Skrevet af {i}" for i in range(12)]
    assert len({p["activity"]["version"] for p in payloads}) == 12


async def test_version_is_read_by_everyone_who_sees_the_object():
    w = await build_world()
    data = await gql(
        "query($id: ID!) { node(id: $id) { ... on Activity { version } } }",
        {"id": gid("Activity", w.activity_id)},
        actor=w.actor("partner"),
    )
    assert data["node"]["version"] == (await fetch(Activity, w.activity_id)).version
