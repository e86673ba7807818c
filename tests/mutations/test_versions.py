"""No edit lost silently: versions on edited objects, CONFLICT for a change from an old version.

Two clients change the same object from the same version at the same moment: two requests, each with
its own session and connection, run concurrently. Exactly one is stored; the other is answered CONFLICT
with the current version and the role (never the person) who changed it. A change from an old version
writes nothing: the stored row and the audit log stay as they were.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel, col

from backend.models import (
    Activity,
    Agreement,
    AuditEvent,
    FinancingParty,
    FollowUpGroup,
    Goal,
    Indicator,
    Meeting,
    Occurrence,
    Plan,
    ResidentInput,
)
from backend.models import Financing as FinancingRow
from schema.api import execute
from tests.mutations.helpers import a_meeting, a_sub_agreement, an_input, gid, gql, payload_of
from tests.services.world import BASE_YEAR, World, build_world, fetch, scalar

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


# ---------------------------------------------------------------- every kind of edited object
ROLE = {"partner": "PARTNER", "housing": "HOUSING_ORGANISATION", "resident": "RESIDENT", "municipality": "MUNICIPALITY"}


def document(mutation: str, input_type: str, selection: str) -> str:
    return f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ {selection} {CONFLICT_FIELDS} }} }}"


# A change as a client sends it: (document, input, actor kind).
Change = tuple[str, dict, str]


@dataclass
class Kind:
    """A kind of edited object, and two changes of one such object, from one version, sent at once."""

    name: str
    model: type[SQLModel]
    field: str  # the payload's object field
    row: Callable[[World, dict], int]  # the edited row's id
    changes: Callable[[World, dict, int], list[Change]]
    setup: Callable[[World], Awaitable[dict]] | None = None
    counter: str = "version"


async def a_financing_line(w: World) -> dict:
    """The world's base-year line of Landsbyggefonden (a year's lines are set together)."""
    line = await scalar(
        select(col(FinancingRow.id)).where(
            col(FinancingRow.plan_id) == w.plan_id,
            col(FinancingRow.year) == BASE_YEAR,
            col(FinancingRow.party) == FinancingParty.LANDSBYGGEFONDEN,
        )
    )
    return {"line": line}


def financing_year(w: World, budget: str, version: int) -> dict:
    return {
        "planId": gid("Plan", w.plan_id),
        "year": BASE_YEAR,
        "lines": [
            {"party": "LANDSBYGGEFONDEN", "sharePercent": "75", "budget": budget, "expectedVersion": version},
            {"party": "MUNICIPALITY", "sharePercent": "12.5", "budget": "125000"},
            {"party": "HOUSING_ORGANISATION", "sharePercent": "12.5", "budget": "125000"},
        ],
    }


OCCURRENCE_CANCEL = document("occurrenceCancel", "OccurrenceCancelInput", "occurrence { version cancelled }")
PLAN_UPDATE = document("planUpdate", "PlanUpdateInput", "plan { version name }")
PLAN_STATUS = document("planStatusChange", "PlanStatusChangeInput", "plan { version status }")
AGREEMENT_APPROVE = document("agreementApprove", "AgreementApproveInput", "agreement { revision approvedAt }")
GOAL_UPDATE = document("goalUpdate", "GoalUpdateInput", "goal { version title }")
INDICATOR_UPDATE = document("indicatorUpdate", "IndicatorUpdateInput", "indicator { version target }")
FINANCING_SET = document("financingSet", "FinancingSetInput", "financing { version party budget }")
GROUP_UPDATE = document("followUpGroupUpdate", "FollowUpGroupUpdateInput", "followUpGroup { version name }")
MEETING_UPDATE = document("meetingUpdate", "MeetingUpdateInput", "meeting { version minutes }")
INPUT_EDIT = document("residentInputEdit", "ResidentInputEditInput", "residentInput { version body }")
INPUT_STATUS = document("residentInputSetStatus", "ResidentInputSetStatusInput", "residentInput { version status }")
INPUT_ANSWER = document("residentInputAnswer", "ResidentInputAnswerInput", "residentInput { version status }")

KINDS = [
    Kind(
        "occurrence",
        Occurrence,
        "occurrence",
        lambda w, x: w.future_occurrence_id,
        lambda w, x, v: [
            (OCCURRENCE_CANCEL, {"occurrenceId": gid("Occurrence", w.future_occurrence_id), "expectedVersion": v}, who)
            for who in ("partner", "housing")
        ],
    ),
    Kind(
        "plan",
        Plan,
        "plan",
        lambda w, x: w.plan_id,
        lambda w, x, v: [
            (PLAN_UPDATE, {"planId": gid("Plan", w.plan_id), "name": f"Plan {n}", "expectedVersion": v}, "housing")
            for n in ("A", "B")
        ],
    ),
    Kind(
        "plan status",
        Plan,
        "plan",
        lambda w, x: w.plan_id,
        lambda w, x, v: (
            [(PLAN_STATUS, {"planId": gid("Plan", w.plan_id), "status": "ENDED", "expectedVersion": v}, "housing")] * 2
        ),
    ),
    Kind(
        "agreement",
        Agreement,
        "agreement",
        lambda w, x: x["agreement"],
        lambda w, x, v: (
            [
                (
                    AGREEMENT_APPROVE,
                    {"agreementId": gid("Agreement", x["agreement"]), "expectedRevision": v},
                    "municipality",
                )
            ]
            * 2
        ),
        a_sub_agreement,
        counter="revision",
    ),
    Kind(
        "goal",
        Goal,
        "goal",
        lambda w, x: w.goal_id,
        lambda w, x, v: [
            (GOAL_UPDATE, {"goalId": gid("Goal", w.goal_id), "title": f"Mål {n}", "expectedVersion": v}, "housing")
            for n in ("A", "B")
        ],
    ),
    Kind(
        "indicator",
        Indicator,
        "indicator",
        lambda w, x: w.indicator_id,
        lambda w, x, v: [
            (
                INDICATOR_UPDATE,
                {"indicatorId": gid("Indicator", w.indicator_id), "target": target, "expectedVersion": v},
                "housing",
            )
            for target in (70, 80)
        ],
    ),
    Kind(
        "financing line",
        FinancingRow,
        "financing",
        lambda w, x: x["line"],
        lambda w, x, v: [(FINANCING_SET, financing_year(w, budget, v), "housing") for budget in ("700000", "800000")],
        a_financing_line,
    ),
    Kind(
        "follow-up group",
        FollowUpGroup,
        "followUpGroup",
        lambda w, x: w.group_id,
        lambda w, x, v: [
            (
                GROUP_UPDATE,
                {"groupId": gid("FollowUpGroup", w.group_id), "name": f"G {n}", "expectedVersion": v},
                "housing",
            )
            for n in ("A", "B")
        ],
    ),
    Kind(
        "meeting",
        Meeting,
        "meeting",
        lambda w, x: x["meeting"],
        lambda w, x, v: [
            (MEETING_UPDATE, {"meetingId": gid("Meeting", x["meeting"]), "minutes": n, "expectedVersion": v}, "housing")
            for n in ("Referat A", "Referat B")
        ],
        a_meeting,
    ),
    Kind(
        # A resident edits their input while staff change its status.
        "resident input",
        ResidentInput,
        "residentInput",
        lambda w, x: x["input"],
        lambda w, x, v: [
            (
                INPUT_EDIT,
                {"inputId": gid("ResidentInput", x["input"]), "body": "Rettet", "expectedVersion": v},
                "resident",
            ),
            (
                INPUT_STATUS,
                {"inputId": gid("ResidentInput", x["input"]), "status": "UNDER_CONSIDERATION", "expectedVersion": v},
                "housing",
            ),
        ],
        an_input,
    ),
    Kind(
        # Two staff members answer the same input (the answer is a write of the input: its status).
        "input answer",
        ResidentInput,
        "residentInput",
        lambda w, x: x["input"],
        lambda w, x, v: [
            (INPUT_ANSWER, {"inputId": gid("ResidentInput", x["input"]), "body": n, "expectedVersion": v}, "housing")
            for n in ("Svar A", "Svar B")
        ],
        an_input,
    ),
]


async def stored(kind: Kind, pk: int) -> SQLModel:
    row = await fetch(kind.model, pk)
    assert row is not None
    return row


def version_in(kind: Kind, payload: dict) -> int:
    obj = payload[kind.field]
    if isinstance(obj, list):  # a year's financing lines: the Landsbyggefonden line
        (obj,) = [line for line in obj if line["party"] == "LANDSBYGGEFONDEN"]
    return obj[kind.counter]


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
async def test_two_changes_from_the_same_version_one_wins(kind: Kind):
    w = await build_world()
    x = await kind.setup(w) if kind.setup else {}
    pk = kind.row(w, x)
    start = getattr(await stored(kind, pk), kind.counter)
    changes = kind.changes(w, x, start)
    payloads = list(await asyncio.gather(*(run(doc, {"input": i}, w.actor(who)) for doc, i, who in changes)))
    won = [n for n, p in enumerate(payloads) if not p["errors"]]
    lost = [n for n, p in enumerate(payloads) if p["errors"]]
    assert len(won) == 1 and len(lost) == 1, payloads
    assert version_in(kind, payloads[won[0]]) == start + 1
    (error,) = payloads[lost[0]]["errors"]
    assert error["code"] == "CONFLICT", error
    assert payloads[lost[0]][kind.field] is None
    assert error["conflict"]["currentVersion"] == start + 1
    assert error["conflict"]["changedBy"] == ROLE[changes[won[0]][2]]
    assert error["conflict"]["changedAt"] is not None
    assert getattr(await stored(kind, pk), kind.counter) == start + 1  # one write, not two


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
async def test_a_change_from_a_version_left_behind_writes_nothing(kind: Kind):
    w = await build_world()
    x = await kind.setup(w) if kind.setup else {}
    pk = kind.row(w, x)
    start = getattr(await stored(kind, pk), kind.counter)
    # The other client's change is stored first; then this one comes in, from the version it started from.
    first_doc, first, first_who = kind.changes(w, x, start)[1]
    assert (await run(first_doc, {"input": first}, w.actor(first_who)))["errors"] == []
    before = (await stored(kind, pk)).model_dump()
    events_before = await scalar(select(func.count()).select_from(AuditEvent))
    doc, given, who = kind.changes(w, x, start)[0]
    payload = await run(doc, {"input": given}, w.actor(who))
    (error,) = payload["errors"]
    assert error["code"] == "CONFLICT" and error["conflict"]["currentVersion"] == start + 1
    assert error["conflict"]["changedBy"] == ROLE[first_who]
    assert (await stored(kind, pk)).model_dump() == before
    assert await scalar(select(func.count()).select_from(AuditEvent)) == events_before
